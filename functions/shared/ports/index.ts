export type * from './artifact-store.js';
export type * from './deployer.js';
export type * from './image-registry.js';
export type * from './ledger.js';
export type * from './lock-table.js';
export type * from './metrics-source.js';
export type * from './notifier.js';
export type * from './tollgate-ports.js';
