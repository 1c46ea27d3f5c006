import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AwsJsonService } from '../api/aws-service.js';

/**
 * An SFN client whose `send` goes straight to the local engine's dispatch instead of over HTTP.
 * The approval functions' SfnTaskCallback uses it unchanged, so local approvals run through the
 * same adapter as on AWS. The service is late-bound because the engine is created after the
 * function runner it invokes.
 */
export function inProcessSfnClient(service: () => AwsJsonService): SFNClient {
  return {
    send: async (command: { input: unknown; constructor: { name: string } }) =>
      service().dispatch(command.constructor.name.replace(/Command$/, ''), command.input),
  } as unknown as SFNClient;
}
