export const QueryLanguage = { JSONPath: 'JSONPath', JSONata: 'JSONata' } as const;
export type QueryLanguage = (typeof QueryLanguage)[keyof typeof QueryLanguage];

export function isQueryLanguage(value: unknown): value is QueryLanguage {
  return value === QueryLanguage.JSONPath || value === QueryLanguage.JSONata;
}
