export { parseDuration } from './duration.js';
export {
  CONFIG_LOAD_TIMEOUT_MS,
  defineConfig,
  formatIssues,
  type LoadConfigOptions,
  loadConfig,
  loadConfigWithInput,
  parseConfig,
} from './load-config.js';
export { assertRunsLocally, localConfigProblems } from './local-rules.js';
export * from './schema.js';
