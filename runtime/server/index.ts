export {
  type ApiServer,
  type ApiServerOptions,
  createApiServer,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SIGNING_NAMES,
  type ExtraRoutes,
} from './api-server.js';
export {
  CREDENTIALS_FILE,
  credentialsPath,
  LOCAL_REGION,
  type LocalCredentials,
  loadOrCreateCredentials,
  localClientConfig,
  readCredentials,
} from './credentials.js';
export { type EngineCommandOptions, type RunningEngine, runEngineCommand } from './engine-command.js';
export { ApiServerError, CredentialsError } from './errors.js';
export { verifySigV4 } from './sigv4-verifier.js';
