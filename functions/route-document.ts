import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { SqsAxisOutbox } from '#adapters/sqs-step-queue.ts';
import { routeDocument } from '#shared/pipeline/route-document.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { intEnv, optionalEnv, requiredEnv } from './lib/env.ts';
import { parseStepMessage } from './lib/pipeline-message.ts';
import { referenceCache } from './lib/reference.ts';
import { sqsHandler } from './lib/sqs-handler.ts';

const logger = new Logger();
const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});
const s3 = makeS3Client();
const axisOutboxUrl = optionalEnv('AXIS_OUTBOX_QUEUE_URL');
const rollout = new DynamoDbRolloutOverview(dynamodb, tableName);
const reference = await referenceCache(dynamodb, tableName);
const deps = {
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  stores: {
    documents: new S3DocumentStore(s3, requiredEnv('INCOMING_BUCKET')),
    archive: new S3DocumentStore(s3, requiredEnv('ARCHIVE_BUCKET')),
  },
  clock: { now: () => new Date() },
  defaultRetentionYears: intEnv('ARCHIVE_RETENTION_YEARS', 10),
  ...(axisOutboxUrl ? { axisOutbox: new SqsAxisOutbox(new SQSClient({}), axisOutboxUrl) } : {}),
};

async function processRecord(record: SQSRecord): Promise<void> {
  const documentId = parseStepMessage(record.body);
  const { directory, catalogue } = await reference.current();
  const currentPolicy = () => rollout.currentPolicy();
  const outcome = await routeDocument(
    { ...deps, reference: { directory, catalogue, currentPolicy } },
    documentId,
  );
  logger.info('route step done', { documentId, outcome });
}

export const handler = sqsHandler(logger, processRecord);
