import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { DynamoDbInboundEdocs } from '#adapters/dynamodb-axis-records.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { type PollResult, pollAxis } from '#shared/axis/poll-axis.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { makeAxisClient } from './lib/axis-client.ts';
import { intEnv, requiredEnv } from './lib/env.ts';

const logger = new Logger();
const deps = {
  client: makeAxisClient(),
  store: new S3DocumentStore(makeS3Client(), requiredEnv('DOCUMENTS_BUCKET')),
  inbound: new DynamoDbInboundEdocs(new DynamoDBClient({}), requiredEnv('TABLE_NAME')),
  clock: { now: () => new Date() },
  self: { OrganId: requiredEnv('AXIS_ORGAN_ID'), OrganName: requiredEnv('AXIS_ORGAN_NAME') },
  servesAgency: (code: string) => QUANG_NGAI_DIRECTORY.find(code)?.channel === 'province',
};
const options = { maxPerPoll: intEnv('AXIS_MAX_PER_POLL', 20) };

/** One poll per schedule tick; an unavailable axis fails the run and the next tick tries again. */
export const handler = middy<ScheduledEvent, PollResult>()
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const result = await pollAxis(deps, options);
    logger.info('axis polled', {
      received: result.received.length,
      refused: result.refused,
      failed: result.failed,
    });
    if (result.unanswerable.length > 0) {
      logger.error('axis packages nobody can answer', { unanswerable: result.unanswerable });
    }
    return result;
  });
