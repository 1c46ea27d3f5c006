/**
 * The JSONPath query language of the local Step Functions engine: paths, ResultPath, payload
 * templates, the 18 intrinsic functions and Choice rules, matching AWS's behaviour and causes.
 * Error causes omit AWS's "An error occurred while executing the state 'X' (entered at the event
 * id #N). " prefix, which the interpreter adds.
 */
export { evaluateChoiceRule } from './choice/choice-rule.js';
export { evaluatePath, validatePath } from './evaluate-path.js';
export { evaluateIntrinsic } from './intrinsic/evaluate.js';
export { MAX_NESTING_DEPTH } from './intrinsic/parser.js';
export { cryptoRandomSource, JavaRandom, type RandomSource } from './intrinsic/random-source.js';
export { validateIntrinsic } from './intrinsic/validate.js';
export { applyPayloadTemplate } from './payload-template.js';
export type { JsonPathScope } from './reference.js';
export { applyResultPath } from './result-path.js';
