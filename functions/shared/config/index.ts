export { parseDuration } from './duration.js';
export { defineConfig, formatIssues, loadConfig, parseConfig } from './load-config.js';
export * from './schema.js';
