import {
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { ApprovalGateway } from '#ports/approval-gateway.ts';
import { ApprovalTaskClosedError } from '#shared/documents/errors.ts';
import type { ApprovalDecision } from '#shared/rollout/tasks.ts';

/**
 * ApprovalGateway as Step Functions SendTaskSuccess: the decision becomes the output of the
 * waiting task, which the state machine's Choice reads (`$.approval.decision`).
 */
export class SfnApprovalGateway implements ApprovalGateway {
  readonly #client: SFNClient;

  constructor(client: SFNClient) {
    this.#client = client;
  }

  async sendDecision(taskToken: string, decision: ApprovalDecision): Promise<void> {
    try {
      await this.#client.send(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decision) }),
      );
    } catch (error) {
      if (
        error instanceof TaskTimedOut ||
        error instanceof TaskDoesNotExist ||
        error instanceof InvalidToken
      ) {
        throw new ApprovalTaskClosedError({ cause: error });
      }
      throw error;
    }
  }
}
