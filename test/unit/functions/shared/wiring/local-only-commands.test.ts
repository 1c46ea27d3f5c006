import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../../functions/shared/ports/tollgate-ports.js';
import { refusingLocalOnlyCommands } from '../../../../../functions/shared/wiring/local-only-commands.js';
import { validConfig } from '../../../../support/config-fixtures.js';

const portsWith = (database: Record<string, unknown>) =>
  refusingLocalOnlyCommands(
    async () =>
      ({
        config: parseConfig(validConfig({ database: { engine: 'postgres', ...database } as never })),
        clock: new ManualClock(),
      }) as unknown as TollgatePorts,
  );

describe('refusingLocalOnlyCommands', () => {
  it('refuses a migration command and command checks in one line naming each', async () => {
    // Arrange
    const ports = portsWith({
      migrate: { command: 'npx prisma migrate deploy' },
      checks: [
        { type: 'notNull', table: 'orders', column: 'id' },
        { type: 'command', name: 'dbt', run: 'dbt test' },
      ],
    });
    // Act
    const refused = ports();
    // Assert
    await expect(refused).rejects.toThrow(
      /^database\.migrate\.command, database\.checks\[1\] \(type "command"\) run only on the local runtime \(tollgate up\) for now: the AWS stack has no runner for them; remove them from the config the stack deploys$/,
    );
  });

  it('returns the ports of a config whose migrations and checks Tollgate runs itself', async () => {
    // Act
    const ports = await portsWith({ checks: [{ type: 'notNull', table: 'orders', column: 'id' }] })();
    // Assert
    expect(ports.config.database?.checks).toHaveLength(1);
  });
});
