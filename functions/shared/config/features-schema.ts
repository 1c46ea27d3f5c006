import * as z from 'zod';

/** JIRA-style keys (`ORD-12`) and GitHub-style issue numbers (`#12`). */
export const DEFAULT_FEATURE_PATTERNS = ['[A-Z][A-Z0-9]+-\\d+', '#\\d+'] as const;

const pattern = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, 'g');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `not a regular expression (${(error as Error).message}); write it as a JavaScript RegExp source, e.g. "[A-Z]+-\\\\d+"`,
      });
    }
  });

/**
 * How feature and issue IDs are found in the commit messages a release adds (release contents,
 * `tollgate where`), and where each one links to. `{id}` in `link` is replaced by the ID
 * (without a leading `#`).
 */
export const features = z
  .strictObject({
    patterns: z
      .array(pattern)
      .min(1, 'give at least one pattern, or leave features out')
      .default([...DEFAULT_FEATURE_PATTERNS]),
    link: z
      .string()
      .refine((link) => link.includes('{id}'), {
        message: 'must contain {id}, e.g. "https://tracker.example/browse/{id}"',
      })
      .optional(),
  })
  .default({ patterns: [...DEFAULT_FEATURE_PATTERNS] });

export type FeaturesConfig = z.output<typeof features>;
