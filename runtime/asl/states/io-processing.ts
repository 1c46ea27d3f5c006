import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { applyPayloadTemplate, applyResultPath, evaluatePath } from '../query/jsonpath-port.js';
import { QueryLanguage } from '../query/query-language.js';
import { jsonataScope, jsonPathScope, type StateRun } from './state-run.js';

/** Re-throws a JSONPath-side error with the state prefix AWS puts in front of it. */
export function withPrefix(run: StateRun, err: unknown): never {
  if (err instanceof StatesError) throw err;
  const e = err as Error;
  const name = e?.name && e.name !== 'Error' ? e.name : StatesErrorName.Runtime;
  throw new StatesError(name, `${run.prefix} ${e?.message ?? String(err)}`);
}

function path(run: StateRun, p: string, data: unknown): unknown {
  try {
    return evaluatePath(p, data);
  } catch (err) {
    withPrefix(run, err);
  }
}

/** InputPath: `null` means `{}`; absent means `$`. */
export function applyInputPath(run: StateRun, input: unknown): unknown {
  const inputPath = run.definition.InputPath;
  if (inputPath === null) return {};
  if (typeof inputPath !== 'string') return input;
  return resolvePathWithContext(run, inputPath, input);
}

/** `$$…` reads the context object and `$name…` reads variables, in every JSONPath field. */
export function resolvePathWithContext(run: StateRun, p: string, input: unknown): unknown {
  if (p.startsWith('$$')) return path(run, `$${p.slice(2)}`, run.frame.context);
  const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(p);
  if (variable) {
    const [, name, rest] = variable;
    if (!run.frame.variables.has(name)) {
      throw new StatesError(
        StatesErrorName.Runtime,
        `${run.prefix} Invalid path '${p}': The variable '${name}' does not exist.`,
      );
    }
    return path(run, `$${rest}`, run.frame.variables.get(name));
  }
  return path(run, p, input);
}

export function applyTemplate(run: StateRun, template: unknown, input: unknown): unknown {
  try {
    return applyPayloadTemplate(template, jsonPathScope(run, input));
  } catch (err) {
    withPrefix(run, err);
  }
}

/** JSONPath `Parameters` (or JSONata `Arguments`): the effective input the state works on. */
export async function effectiveInput(run: StateRun, field: 'Parameters' | 'ItemSelector' = 'Parameters') {
  const inspect = field === 'Parameters' ? run.frame.services.inspect : undefined;
  if (run.language === QueryLanguage.JSONata) {
    const args = field === 'Parameters' ? run.definition.Arguments : run.definition.ItemSelector;
    if (args === undefined) return run.rawInput;
    const value = await evaluateJsonataTemplate(
      args,
      jsonataScope(run),
      field === 'Parameters' ? 'Arguments' : field,
      run.prefix,
    );
    inspect?.('afterArguments', value);
    return value;
  }
  return jsonPathEffectiveInput(run, field);
}

/** InputPath → Parameters (or ItemSelector) of a JSONPath state; synchronous, unlike JSONata. */
export function jsonPathEffectiveInput(
  run: StateRun,
  field: 'Parameters' | 'ItemSelector' = 'Parameters',
): unknown {
  const inspect = field === 'Parameters' ? run.frame.services.inspect : undefined;
  const afterInputPath = applyInputPath(run, run.rawInput);
  inspect?.('afterInputPath', afterInputPath);
  const template = run.definition[field];
  const value = template === undefined ? afterInputPath : applyTemplate(run, template, afterInputPath);
  inspect?.('afterParameters', value);
  return value;
}

/** ResultSelector → ResultPath → OutputPath (JSONPath) or Output (JSONata). */
export async function stateOutput(run: StateRun, result: unknown, defaultOutput = result): Promise<unknown> {
  if (run.language === QueryLanguage.JSONata) {
    run.frame.services.inspect?.('result', result);
    if (run.definition.Output === undefined) return defaultOutput;
    return evaluateJsonataTemplate(
      run.definition.Output,
      jsonataScope(run, { result }),
      'Output',
      run.prefix,
    );
  }
  return jsonPathStateOutput(run, result);
}

/** ResultSelector → ResultPath → OutputPath of a JSONPath state; synchronous, unlike JSONata. */
export function jsonPathStateOutput(run: StateRun, result: unknown): unknown {
  const def = run.definition;
  const { inspect } = run.frame.services;
  inspect?.('result', result);
  let selected = result;
  if (def.ResultSelector !== undefined) selected = applyTemplate(run, def.ResultSelector, result);
  inspect?.('afterResultSelector', selected);
  let combined: unknown;
  try {
    combined =
      'ResultPath' in def
        ? applyResultPath(run.rawInput, def.ResultPath as string | null, selected)
        : selected;
  } catch (err) {
    withPrefix(run, err);
  }
  inspect?.('afterResultPath', combined);
  return applyOutputPath(run, combined);
}

export function applyOutputPath(run: StateRun, value: unknown): unknown {
  const outputPath = run.definition.OutputPath;
  if (outputPath === null) return {};
  if (typeof outputPath !== 'string') return value;
  return resolvePathWithContext(run, outputPath, value);
}

/**
 * Evaluates `Assign` against the given value (JSONPath: `$` is the state result; JSONata:
 * `$states.result`/`input`). Every expression sees the variables as they were before the state.
 */
export async function evaluateAssign(
  run: StateRun,
  assign: unknown,
  value: { result?: unknown; errorOutput?: unknown; input?: unknown },
): Promise<Record<string, unknown> | undefined> {
  if (assign === undefined) return undefined;
  if (run.language === QueryLanguage.JSONata) {
    const out = await evaluateJsonataTemplate(assign, jsonataScope(run, value), 'Assign', run.prefix);
    return out as Record<string, unknown>;
  }
  return jsonPathAssign(run, assign, value);
}

/** `Assign` of a JSONPath state, against the result (or error output, or input). */
export function jsonPathAssign(
  run: StateRun,
  assign: unknown,
  value: { result?: unknown; errorOutput?: unknown; input?: unknown },
): Record<string, unknown> | undefined {
  if (assign === undefined) return undefined;
  const base = 'errorOutput' in value ? value.errorOutput : 'result' in value ? value.result : value.input;
  return applyTemplate(run, assign, base) as Record<string, unknown>;
}
