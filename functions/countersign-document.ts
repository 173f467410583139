import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DirectoryOrganizationSigners } from '#adapters/directory-organization-signers.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { SqsStepQueue } from '#adapters/sqs-step-queue.ts';
import { countersignDocument } from '#shared/pipeline/countersign-document.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { optionalEnv, requiredEnv } from './lib/env.ts';
import { parseStepMessage } from './lib/pipeline-message.ts';
import { referenceCache } from './lib/reference.ts';
import { sqsHandler } from './lib/sqs-handler.ts';

const logger = new Logger();
const documents = new S3DocumentStore(makeS3Client(), requiredEnv('INCOMING_BUCKET'));
const dynamodb = new DynamoDBClient({});
const tableName = requiredEnv('TABLE_NAME');
const kms = new KMSClient({});
// Signers are resolved again only when an edit or an installed agency key changed the reference
// data (an agency's new KMS key is used within the cache's age); until then each stays cached.
const signers = (await referenceCache(dynamodb, tableName)).derive(
  ({ directory }) => new DirectoryOrganizationSigners({ directory, kms, certificates: documents }),
);
const deps = {
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  documents,
  next: new SqsStepQueue(new SQSClient({}), requiredEnv('ROUTE_QUEUE_URL')),
  clock: { now: () => new Date() },
  reason: optionalEnv('COUNTERSIGN_REASON') ?? 'Ký số của cơ quan, tổ chức',
  location: optionalEnv('COUNTERSIGN_LOCATION') ?? 'Quảng Ngãi',
};

async function processRecord(record: SQSRecord): Promise<void> {
  const documentId = parseStepMessage(record.body);
  const outcome = await countersignDocument({ ...deps, signers: await signers() }, documentId);
  logger.info('countersign step done', { documentId, outcome });
}

export const handler = sqsHandler(logger, processRecord);
