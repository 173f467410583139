import {
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnApprovalGateway } from '#adapters/sfn-approval-gateway.ts';
import { ApprovalTaskClosedError } from '#shared/documents/errors.ts';

const sfn = mockClient(SFNClient);
const gateway = () => new SfnApprovalGateway(new SFNClient({ region: 'ap-southeast-1' }));
const decision = { decision: 'rejected', decidedBy: 'admin-1', note: 'Chưa đạt' } as const;

describe('SfnApprovalGateway', () => {
  beforeEach(() => sfn.reset());

  it('sends the decision as the task output with the stored token', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});

    await gateway().sendDecision('token-1', decision);

    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: JSON.stringify(decision),
    });
  });

  it.each([
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
    ['InvalidToken', new InvalidToken({ message: 'bad', $metadata: {} })],
  ])('reports a closed task when Step Functions answers %s', async (_, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error);

    await expect(gateway().sendDecision('token-1', decision)).rejects.toThrow(
      ApprovalTaskClosedError,
    );
  });

  it('passes any other failure through, so the caller can reopen the approval', async () => {
    const throttled = new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
    sfn.on(SendTaskSuccessCommand).rejects(throttled);

    await expect(gateway().sendDecision('token-1', decision)).rejects.toBe(throttled);
  });
});
