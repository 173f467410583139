import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoDbRolloutStore } from '#adapters/dynamodb-rollout-store.ts';
import { requestApproval } from '#shared/rollout/request-approval.ts';
import { approvalRequestTaskSchema } from '#shared/rollout/tasks.ts';
import { requiredEnv } from './lib/env.ts';

const logger = new Logger();
const approvals = new DynamoDbRolloutStore(new DynamoDBClient({}), requiredEnv('TABLE_NAME'));
const clock = { now: () => new Date() };

/**
 * Task of the rollout state machine (`.waitForTaskToken`): stores the token for the admin API.
 * Its return value is ignored; the execution resumes with what SendTaskSuccess sends.
 */
export const handler = middy<unknown, { phaseId: string; attempt: number }>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const task = approvalRequestTaskSchema.parse(event);
    logger.appendKeys({ scheduleId: task.scheduleId, phaseId: task.phaseId });
    const pending = await requestApproval({ approvals, clock }, task);
    logger.info('phase approval requested', { attempt: pending.attempt });
    return { phaseId: pending.phaseId, attempt: pending.attempt };
  });
