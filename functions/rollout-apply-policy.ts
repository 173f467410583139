import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoDbRolloutStore } from '#adapters/dynamodb-rollout-store.ts';
import { applyPhasePolicy } from '#shared/rollout/apply-phase-policy.ts';
import { applyPolicyTaskSchema } from '#shared/rollout/tasks.ts';
import { requiredEnv } from './lib/env.ts';

const logger = new Logger();
const store = new DynamoDbRolloutStore(new DynamoDBClient({}), requiredEnv('TABLE_NAME'));
const clock = { now: () => new Date() };

/** Task of the rollout state machine: puts a phase's policy in force for routing. */
export const handler = middy<unknown, { phaseId: string; appliedAt: string }>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const task = applyPolicyTaskSchema.parse(event);
    logger.appendKeys({ scheduleId: task.scheduleId, phaseId: task.phaseId });
    const record = await applyPhasePolicy({ store, clock }, task);
    logger.info('rollout policy applied', { effectiveFrom: record.effectiveFrom });
    return { phaseId: record.phaseId, appliedAt: record.appliedAt };
  });
