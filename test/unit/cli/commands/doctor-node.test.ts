import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minimumNode, nodeCheck } from '../../../../cli/commands/doctor/node-check.js';

describe('tollgate doctor: node', () => {
  it("takes the minimum from package.json's engines, the one place it is declared", () => {
    // Arrange
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'));
    // Act / Assert
    expect(`>=${minimumNode()}`).toBe(pkg.engines.node);
  });

  it('fails a Node.js older than the minimum in its patch version, naming both', () => {
    // Act / Assert
    expect(nodeCheck('20.18.0', '20.18.1')).toEqual({
      name: 'node',
      status: 'fail',
      detail: 'Node.js 20.18.0; Tollgate needs 20.18.1 or newer',
    });
    expect(nodeCheck('20.15.1', '20.18.1').status).toBe('fail');
  });

  it('passes the minimum itself and anything newer', () => {
    // Act / Assert
    expect(nodeCheck('20.18.1', '20.18.1').status).toBe('ok');
    expect(nodeCheck('20.19.0', '20.18.1').status).toBe('ok');
    expect(nodeCheck('22.0.0', '20.18.1')).toEqual({ name: 'node', status: 'ok', detail: 'Node.js 22.0.0' });
  });
});
