import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { applyPayloadTemplate } from '../query/jsonpath-port.js';
import { QueryLanguage } from '../query/query-language.js';
import { withPrefix } from './io-processing.js';
import { jsonataScope, jsonPathScope, type StateRun } from './state-run.js';

/**
 * Reads a field that is either a literal, a `…Path` reference (JSONPath: `$`, `$$`, `$var` or an
 * intrinsic function) or a `{% %}` expression (JSONata). Returns undefined when the field is absent.
 */
export async function readDynamicField(
  run: StateRun,
  field: string,
  input: unknown = run.rawInput,
): Promise<{ value: unknown; present: boolean; fromPath?: string }> {
  const def = run.definition;
  if (run.language === QueryLanguage.JSONata) {
    if (def[field] === undefined) return { value: undefined, present: false };
    return {
      value: await evaluateJsonataTemplate(def[field], jsonataScope(run), field, run.prefix),
      present: true,
    };
  }
  const pathField = `${field}Path`;
  if (typeof def[pathField] === 'string') {
    const path = def[pathField] as string;
    try {
      const out = applyPayloadTemplate({ 'value.$': path }, jsonPathScope(run, input)) as { value: unknown };
      return { value: out.value, present: true, fromPath: path };
    } catch (err) {
      withPrefix(run, err);
    }
  }
  if (def[field] === undefined) return { value: undefined, present: false };
  return { value: def[field], present: true };
}
