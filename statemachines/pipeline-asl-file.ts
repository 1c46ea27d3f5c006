import { fileURLToPath } from 'node:url';
import { PIPELINE_MACHINE } from './pipeline.js';

/** The generated definition, checked in so every change to the flow is reviewed as ASL too. */
export const PIPELINE_ASL_PATH = fileURLToPath(new URL('./pipeline.asl.json', import.meta.url));

/** The text `npm run asl` writes: two-space JSON and a final newline, as the file has always been. */
export function renderPipelineAsl(): string {
  return `${JSON.stringify(PIPELINE_MACHINE.definition, null, 2)}\n`;
}
