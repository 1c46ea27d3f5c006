import { createHandler as checkData } from '../../functions/check-data/handler.js';
import { createHandler as concurrencyGuard } from '../../functions/concurrency-guard/handler.js';
import { createHandler as deploy } from '../../functions/deploy/handler.js';
import { createHandler as maskData } from '../../functions/mask-data/handler.js';
import { createHandler as migrateDatabase } from '../../functions/migrate-database/handler.js';
import { createHandler as planRun } from '../../functions/plan-run/handler.js';
import { createHandler as pollDeployment } from '../../functions/poll-deployment/handler.js';
import { createHandler as promote } from '../../functions/promote/handler.js';
import { createHandler as recordApprovalTimeout } from '../../functions/record-approval-timeout/handler.js';
import { createHandler as recordRun } from '../../functions/record-run/handler.js';
import { createHandler as refreshData } from '../../functions/refresh-data/handler.js';
import { createHandler as registerRelease } from '../../functions/register-release/handler.js';
import { createHandler as requestApproval } from '../../functions/request-approval/handler.js';
import { createHandler as rollback } from '../../functions/rollback/handler.js';
import type { TaskHandler } from '../../functions/shared/handler.js';
import type { PortsFactory } from '../../functions/shared/ports/tollgate-ports.js';
import { createHandler as smokeTest } from '../../functions/smoke-test/handler.js';
import type { TaskName } from '../../functions/task-registry.js';
import { createHandler as verifyMasking } from '../../functions/verify-masking/handler.js';

/**
 * The function runner's registry: task name → the same `createHandler` the Lambda `handler.ts`
 * exports, so local runs execute exactly the code that ships to AWS.
 */
export const TASK_HANDLERS: Readonly<Record<TaskName, (ports: PortsFactory) => TaskHandler<unknown>>> = {
  'plan-run': planRun,
  'concurrency-guard': concurrencyGuard,
  'register-release': registerRelease,
  deploy,
  'poll-deployment': pollDeployment,
  'smoke-test': smokeTest,
  promote,
  rollback,
  'record-run': recordRun,
  'request-approval': requestApproval,
  'record-approval-timeout': recordApprovalTimeout,
  'refresh-data': refreshData,
  'mask-data': maskData,
  'verify-masking': verifyMasking,
  'migrate-database': migrateDatabase,
  'check-data': checkData,
};
