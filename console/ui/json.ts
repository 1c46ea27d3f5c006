/**
 * JSON from the console's own routes. The UI reads it defensively (every field may be missing in an
 * older runtime), so it is typed loosely in one place rather than with `any` scattered around.
 */
// biome-ignore lint/suspicious/noExplicitAny: server answers are read field by field with fallbacks
export type Json = any;
