import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import { validConfig } from '../../../../support/config-fixtures.js';

describe('concurrency config', () => {
  it('returns a 6 h look interval by default, so a day of waiting is four looks', () => {
    // Act
    const config = parseConfig(validConfig({ concurrency: 'queued' }));
    // Assert
    expect(config.concurrency).toEqual({
      mode: 'queued',
      lease: 21_600,
      maxWait: 86_400,
      pollInterval: 21_600,
    });
  });

  it('accepts a pollInterval that gives at most 1,000 looks in maxWait', () => {
    // Act
    const config = parseConfig(
      validConfig({ concurrency: { mode: 'queued', maxWait: '24h', pollInterval: '87s' } }),
    );
    // Assert
    expect(config.concurrency.pollInterval).toBe(87);
  });

  it('refuses in one line a pollInterval so short that a waiting run would outgrow its history', () => {
    // Act
    const parse = () => parseConfig(validConfig({ concurrency: { mode: 'queued', pollInterval: '10s' } }));
    // Assert
    expect(parse).toThrow(
      /^invalid config in tollgate\.config\.ts: concurrency\.pollInterval: a queued run would look at the lock up to 8640 times in maxWait \(86400s\), more than its Step Functions history can hold; use a pollInterval of at least 87s or a shorter maxWait$/,
    );
  });
});
