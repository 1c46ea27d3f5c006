import { describe, expect, it } from 'vitest';
import { auroraConfigInput, buildStack } from './stack-fixture.js';

const SYNTH_MS = 120_000;

describe('TollgateStack and the team’s own data commands', () => {
  it(
    'refuses database.migrate.command and command checks at synth in one line, before any resource is made',
    () => {
      // Arrange
      const config = auroraConfigInput();
      config.database = {
        ...config.database!,
        migrate: { command: 'npx prisma migrate deploy' },
        checks: [{ type: 'command', name: 'dbt', run: 'dbt test' }],
      };

      // Act / Assert
      expect(() => buildStack(config)).toThrow(
        /^invalid config for the AWS stack in TollgatePipeline props\.config: database\.migrate\.command, database\.checks\[0\] \(type "command"\) run only on the local runtime \(tollgate up\) for now: the AWS stack has no runner for them; remove them from the config the stack deploys$/,
      );
    },
    SYNTH_MS,
  );
});
