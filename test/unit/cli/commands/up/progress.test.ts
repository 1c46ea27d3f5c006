import { describe, expect, it } from 'vitest';
import { createProgressPrinter } from '../../../../../cli/commands/up/progress.js';
import type { HistoryEvent } from '../../../../../runtime/asl/history/history-event.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:tollgate-orders-service:run12345-aaaa';

function feed() {
  const out: string[] = [];
  const printer = createProgressPrinter({
    write: (text) => out.push(text),
    isTTY: false,
    consoleUrl: (run) => `http://console/${run}`,
    now: () => 0,
  });
  let id = 0;
  const ev = (type: string, details: Record<string, unknown> = {}) => {
    id += 1;
    printer.onEvent(ARN, {
      id,
      previousEventId: id - 1,
      type,
      timestamp: id * 1000,
      ...details,
    } as HistoryEvent);
  };
  const state = (kind: string, name: string, input: unknown = {}) => {
    ev(`${kind}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
    ev(`${kind}StateExited`, { stateExitedEventDetails: { name } });
  };
  return { out, ev, state, text: () => out.join('') };
}

describe('createProgressPrinter', () => {
  it('prints a queued run once, not once per lock poll, and its queue stage once it got its turn', () => {
    // Arrange
    const p = feed();
    p.ev('ExecutionStarted', {
      executionStartedEventDetails: {
        input: JSON.stringify({ detail: { commit: 'abcdef1', branch: 'main' } }),
      },
    });
    p.state('Task', 'AcquireLock');
    // Act
    for (let poll = 0; poll < 50; poll++) {
      p.state('Choice', 'LockDecision');
      p.state('Pass', 'LockNotGranted');
      p.state('Wait', 'WaitForLock');
      p.state('Task', 'CheckLock');
    }
    p.state('Choice', 'LockDecision');
    p.ev('TaskStateEntered', { stateEnteredEventDetails: { name: 'Build', input: '{}' } });
    // Assert
    const lines = p.text().trim().split('\n');
    expect(lines.filter((l) => l.includes('queued'))).toHaveLength(1);
    expect(lines.filter((l) => /queue\s+✓ succeeded/.test(l))).toHaveLength(1);
    expect(lines).toHaveLength(3);
  });

  it('prints a run queued on a task token once, and not as waiting for approval', () => {
    // Arrange
    const p = feed();
    p.state('Task', 'AcquireLock');
    p.state('Choice', 'LockDecision');
    // Act
    p.ev('TaskStateEntered', { stateEnteredEventDetails: { name: 'WaitForLock', input: '{}' } });
    p.ev('TaskScheduled', { taskScheduledEventDetails: {} });
    p.ev('TaskSubmitted', { taskSubmittedEventDetails: {} });
    p.ev('TaskStarted', { taskStartedEventDetails: {} });
    // Assert
    expect(p.text().match(/queued/g)).toHaveLength(1);
    expect(p.text()).not.toContain('approval');
  });

  it('prints the approval gate as waiting, for whom, with the commands that decide it', () => {
    // Arrange
    const p = feed();
    p.ev('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Environments', index: 0 } });
    p.state('Pass', 'EnterEnvironment', { name: 'prod' });
    p.ev('TaskStateEntered', { stateEnteredEventDetails: { name: 'ApprovalGate', input: '{}' } });
    p.ev('TaskScheduled', {
      taskScheduledEventDetails: {
        parameters: JSON.stringify({ Payload: { approval: { approvers: ['bob'] } } }),
      },
    });
    // Act
    p.ev('TaskSubmitted', { taskSubmittedEventDetails: {} });
    p.ev('TaskStarted', { taskStartedEventDetails: {} });
    // Assert
    expect(p.text()).toContain('prod     approval   ⏸ waiting for approval by bob\n');
    expect(p.text()).toContain('approve: npx tollgate approve run12345-aaaa\n');
    expect(p.text().match(/waiting for approval/g)).toHaveLength(1);
  });
});
