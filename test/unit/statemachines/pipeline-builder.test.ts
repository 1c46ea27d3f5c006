import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PIPELINE_MACHINE } from '../../../statemachines/pipeline.js';
import { PIPELINE_ASL_PATH } from '../../../statemachines/pipeline-asl-file.js';

describe('statemachines/pipeline.ts', () => {
  it('declares the same state machine as the checked-in pipeline.asl.json', () => {
    // Arrange
    const checkedIn = JSON.parse(readFileSync(PIPELINE_ASL_PATH, 'utf8'));
    // Act
    const built = JSON.parse(JSON.stringify(PIPELINE_MACHINE.definition));
    // Assert
    expect(built).toEqual(checkedIn);
  });
});
