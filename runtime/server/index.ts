export { type ApiServer, createApiServer, type ExtraRoutes } from './api-server.js';
export { loadOrCreateCredentials } from './credentials.js';
export { runEngineCommand } from './engine-command.js';
