import { describe, expect, it } from 'vitest';
import { TASKS } from '../../../functions/task-registry.js';

describe('functions/task-registry', () => {
  it.each([...TASKS.map((t) => t.name), 'approve', 'webhook'])(
    'has a Lambda entry point `handler` in functions/%s/handler.ts',
    async (name) => {
      // Arrange / Act: the CDK stack bundles exactly this module and export.
      const mod = (await import(`../../../functions/${name}/handler.ts`)) as { handler?: unknown };
      // Assert
      expect(typeof mod.handler).toBe('function');
    },
  );
});
