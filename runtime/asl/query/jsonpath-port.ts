/**
 * The JSONPath query language lives in `runtime/asl/jsonpath/` (owned separately); the interpreter
 * reaches it only through this module so the seam is in one place.
 */

export {
  applyPayloadTemplate,
  applyResultPath,
  evaluateChoiceRule,
  evaluatePath,
} from '../jsonpath/index.js';
