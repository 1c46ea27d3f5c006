import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PIPELINE_ASL_PATH, renderPipelineAsl } from './pipeline-asl-file.js';

/** `npm run asl`: writes statemachines/pipeline.asl.json from statemachines/pipeline.ts. */
const text = renderPipelineAsl();
const current = existsSync(PIPELINE_ASL_PATH) ? readFileSync(PIPELINE_ASL_PATH, 'utf8') : undefined;
if (current === text) console.log(`${PIPELINE_ASL_PATH} is up to date`);
else {
  writeFileSync(PIPELINE_ASL_PATH, text);
  console.log(`wrote ${PIPELINE_ASL_PATH} (${text.split('\n').length - 1} lines)`);
}
