import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { DynamoDbInboundLedger } from '#adapters/dynamodb-axis-records.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { type PollResult, pollAxis } from '#shared/axis/poll-axis.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { makeAxisClient } from './lib/axis-client.ts';
import { intEnv, optionalEnv, requiredEnv } from './lib/env.ts';
import { referenceCache } from './lib/reference.ts';
import { loadTrust } from './lib/trust.ts';

const logger = new Logger();
const dynamodb = new DynamoDBClient({});
const tableName = requiredEnv('TABLE_NAME');
const reference = await referenceCache(dynamodb, tableName);
const deps = {
  client: makeAxisClient(),
  store: new S3DocumentStore(makeS3Client(), requiredEnv('DOCUMENTS_BUCKET')),
  ledger: new DynamoDbInboundLedger(dynamodb, tableName),
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  trust: await loadTrust(optionalEnv('TRUST_DIR') ?? new URL('./trust', import.meta.url).pathname),
  clock: { now: () => new Date() },
  self: { OrganId: requiredEnv('AXIS_ORGAN_ID'), OrganName: requiredEnv('AXIS_ORGAN_NAME') },
};
const options = {
  maxPerPoll: intEnv('AXIS_MAX_PER_POLL', 20),
  leaseMs: intEnv('AXIS_LEASE_SECONDS', 900) * 1000,
};

/** One poll per schedule tick; an unavailable axis fails the run and the next tick tries again. */
export const handler = middy<ScheduledEvent, PollResult>()
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const { directory } = await reference.current();
    const servesAgency = (code: string) => directory.find(code)?.channel === 'province';
    const result = await pollAxis({ ...deps, servesAgency }, options);
    logger.info('axis polled', {
      received: result.received,
      refused: result.refused,
      statuses: result.statuses,
      failed: result.failed,
      skipped: result.skipped.length,
    });
    if (result.unanswerable.length > 0) {
      logger.error('axis packages nobody can answer', { unanswerable: result.unanswerable });
    }
    if (result.late.length > 0) {
      logger.warn('axis packages answered after the day of receipt', { late: result.late });
    }
    return result;
  });
