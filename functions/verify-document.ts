import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { SqsStepQueue } from '#adapters/sqs-step-queue.ts';
import { verifyUpload } from '#shared/pipeline/verify-upload.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { intEnv, optionalEnv, requiredEnv } from './lib/env.ts';
import { referenceCache } from './lib/reference.ts';
import { parseS3Notification } from './lib/s3-notification.ts';
import { sqsHandler } from './lib/sqs-handler.ts';
import { loadTrust } from './lib/trust.ts';

const logger = new Logger();
const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});
const rollout = new DynamoDbRolloutOverview(dynamodb, tableName);
const reference = await referenceCache(dynamodb, tableName);
const deps = {
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  documents: new S3DocumentStore(makeS3Client(), requiredEnv('INCOMING_BUCKET')),
  settings: {
    trust: await loadTrust(
      optionalEnv('TRUST_DIR') ?? new URL('./trust', import.meta.url).pathname,
    ),
    signerBinding:
      optionalEnv('SIGNER_BINDING') === 'none' ? ('none' as const) : ('organization-name' as const),
    maxUploadBytes: intEnv('MAX_UPLOAD_BYTES', 50 * 1024 * 1024),
  },
  next: new SqsStepQueue(new SQSClient({}), requiredEnv('COUNTERSIGN_QUEUE_URL')),
  clock: { now: () => new Date() },
};

async function processRecord(record: SQSRecord): Promise<void> {
  for (const object of parseS3Notification(record.body)) {
    const { directory, catalogue } = await reference.current();
    const currentPolicy = () => rollout.currentPolicy();
    const outcome = await verifyUpload(
      { ...deps, reference: { directory, catalogue, currentPolicy } },
      object.key,
    );
    logger.info('upload verified', { key: object.key, outcome });
  }
}

export const handler = sqsHandler(logger, processRecord);
