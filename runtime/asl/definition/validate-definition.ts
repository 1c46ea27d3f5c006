import { jsonataExpressionOf } from '../query/jsonata-evaluator.js';
import { isQueryLanguage } from '../query/query-language.js';
import { parseTaskResource } from '../task/task-resource.js';
import type { DefinitionDiagnostic } from './definition-errors.js';
import { validateStateFields } from './validate-state-fields.js';

type Json = Record<string, unknown>;

const STATE_TYPES = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Validates an ASL definition text the way CreateStateMachine does, returning every problem with
 * its location. An empty list means the definition is valid.
 */
export function validateDefinition(text: string): DefinitionDiagnostic[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return [{ code: 'INVALID_JSON_DESCRIPTION', message: (err as Error).message, location: '/' }];
  }
  if (!isObject(parsed)) {
    return [
      { code: 'SCHEMA_VALIDATION_FAILED', message: 'The definition must be a JSON object', location: '/' },
    ];
  }
  const out: DefinitionDiagnostic[] = [];
  const topLanguage = parsed.QueryLanguage;
  if (topLanguage !== undefined && !isQueryLanguage(topLanguage)) {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: `Value is not one of the allowed values [JSONPath, JSONata]`,
      location: '/QueryLanguage',
    });
  }
  if (
    parsed.TimeoutSeconds !== undefined &&
    !(Number.isInteger(parsed.TimeoutSeconds) && (parsed.TimeoutSeconds as number) > 0)
  ) {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: 'The value must be a positive integer',
      location: '/TimeoutSeconds',
    });
  }
  if (parsed.Version !== undefined && parsed.Version !== '1.0') {
    out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: "Value must be '1.0'", location: '/Version' });
  }
  validateBlock(parsed, '', topLanguage === 'JSONata' ? 'JSONata' : 'JSONPath', out);
  return out;
}

function validateBlock(block: Json, at: string, language: string, out: DefinitionDiagnostic[]): void {
  if (typeof block.StartAt !== 'string') {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: "The field 'StartAt' is required",
      location: at || '/',
    });
  }
  if (!isObject(block.States)) {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: "The field 'States' is required",
      location: at || '/',
    });
    return;
  }
  const names = new Set(Object.keys(block.States));
  if (names.size === 0) {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: 'At least one state is required',
      location: `${at}/States`,
    });
  }
  if (typeof block.StartAt === 'string' && !names.has(block.StartAt)) {
    out.push({
      code: 'MISSING_TRANSITION_TARGET',
      message: `Missing 'Next' target: ${block.StartAt}`,
      location: `${at}/StartAt`,
    });
  }
  for (const [name, state] of Object.entries(block.States)) {
    const loc = `${at}/States/${name}`;
    if (name.length === 0 || name.length > 80) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: 'State names must be 1-80 characters',
        location: loc,
      });
    }
    if (!isObject(state)) {
      out.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'A state must be a JSON object', location: loc });
      continue;
    }
    validateState(state, loc, language, names, out);
  }
}

function validateState(
  state: Json,
  loc: string,
  inherited: string,
  names: Set<string>,
  out: DefinitionDiagnostic[],
): void {
  const type = state.Type;
  if (typeof type !== 'string' || !STATE_TYPES.has(type)) {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message:
        typeof type === 'string'
          ? `The value '${type}' is not a valid state type`
          : "The field 'Type' is required",
      location: `${loc}/Type`,
    });
    return;
  }
  if (state.QueryLanguage !== undefined && !isQueryLanguage(state.QueryLanguage)) {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: 'Value is not one of the allowed values [JSONPath, JSONata]',
      location: `${loc}/QueryLanguage`,
    });
  }
  // AWS forbids going back to JSONPath inside a JSONata state machine.
  if (inherited === 'JSONata' && state.QueryLanguage === 'JSONPath') {
    out.push({
      code: 'SCHEMA_VALIDATION_FAILED',
      message: "The QueryLanguage 'JSONPath' is not allowed when the top-level QueryLanguage is 'JSONata'",
      location: `${loc}/QueryLanguage`,
    });
  }
  const language = isQueryLanguage(state.QueryLanguage) ? state.QueryLanguage : inherited;
  validateStateFields(type, state, loc, language, out);
  const terminal = type === 'Succeed' || type === 'Fail' || type === 'Choice';
  if (!terminal) {
    const hasNext = typeof state.Next === 'string';
    const hasEnd = state.End === true;
    if (hasNext === hasEnd) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: hasNext
          ? "The fields 'Next' and 'End' are mutually exclusive"
          : "The field 'Next' or 'End' is required",
        location: loc,
      });
    }
  }
  const targets: Array<[string, unknown]> = [[`${loc}/Next`, state.Next]];
  if (type === 'Choice') {
    if (!Array.isArray(state.Choices) || state.Choices.length === 0) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: "The field 'Choices' must be a non-empty array",
        location: `${loc}/Choices`,
      });
    } else {
      state.Choices.forEach((rule, i) => {
        targets.push([`${loc}/Choices/${i}/Next`, isObject(rule) ? rule.Next : undefined]);
        if (!isObject(rule) || typeof rule.Next !== 'string') {
          out.push({
            code: 'SCHEMA_VALIDATION_FAILED',
            message: "The field 'Next' is required",
            location: `${loc}/Choices/${i}`,
          });
        }
        if (language === 'JSONata' && isObject(rule) && rule.Condition === undefined) {
          out.push({
            code: 'SCHEMA_VALIDATION_FAILED',
            message: "The field 'Condition' is required",
            location: `${loc}/Choices/${i}`,
          });
        }
      });
    }
    targets.push([`${loc}/Default`, state.Default]);
  }
  if (Array.isArray(state.Catch)) {
    state.Catch.forEach((c, i) => {
      targets.push([`${loc}/Catch/${i}/Next`, isObject(c) ? c.Next : undefined]);
    });
  }
  for (const [where, target] of targets) {
    if (typeof target === 'string' && !names.has(target)) {
      out.push({
        code: 'MISSING_TRANSITION_TARGET',
        message: `Missing 'Next' target: ${target}`,
        location: where,
      });
    }
  }
  if (type === 'Task') {
    const resource = state.Resource;
    if (typeof resource !== 'string') {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: "The field 'Resource' is required",
        location: loc,
      });
    } else if (!parseTaskResource(resource) && jsonataExpressionOf(resource) === undefined) {
      out.push({
        code: 'INVALID_RESOURCE',
        message: `Invalid resource: ${resource}`,
        location: `${loc}/Resource`,
      });
    }
  }
  if (type === 'Parallel') {
    if (!Array.isArray(state.Branches) || state.Branches.length === 0) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: "The field 'Branches' must be a non-empty array",
        location: `${loc}/Branches`,
      });
    } else {
      state.Branches.forEach((b, i) => {
        if (isObject(b)) validateBlock(b, `${loc}/Branches/${i}`, language, out);
      });
    }
  }
  if (type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    const field = state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator';
    if (!isObject(processor)) {
      out.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        message: "The field 'ItemProcessor' is required",
        location: loc,
      });
    } else {
      validateBlock(processor, `${loc}/${field}`, language, out);
    }
  }
}
