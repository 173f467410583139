import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDbAxisDeliveries } from '#adapters/dynamodb-axis-records.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { parseAxisOutboxMessage } from '#shared/axis/outbox-message.ts';
import { reportStatusToAxis } from '#shared/axis/report-status-to-axis.ts';
import { sendToAxis } from '#shared/axis/send-to-axis.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { makeAxisClient } from './lib/axis-client.ts';
import { requiredEnv } from './lib/env.ts';
import { sqsHandler } from './lib/sqs-handler.ts';

const logger = new Logger();
const dynamodb = new DynamoDBClient({});
const tableName = requiredEnv('TABLE_NAME');
const deps = {
  client: makeAxisClient(),
  store: new S3DocumentStore(makeS3Client(), requiredEnv('DOCUMENTS_BUCKET')),
  status: new DynamoDbAxisDeliveries(dynamodb, tableName),
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  clock: { now: () => new Date() },
};

/**
 * A refusal is recorded (or returned) by the use case; anything thrown (axis unavailable, a bad
 * message, S3 or DynamoDB errors) fails only this record, which SQS redelivers after the
 * visibility timeout and parks in the DLQ after maxReceiveCount.
 */
async function processRecord(record: SQSRecord): Promise<void> {
  const message = parseAxisOutboxMessage(record.body);
  // Records run concurrently: keys go in each entry, not appendKeys on the shared logger.
  const keys = { documentId: message.documentId, recipient: message.recipient };
  if (message.kind === 'status') {
    const outcome = await reportStatusToAxis(deps, message);
    const entry = { ...keys, code: message.code, outcome };
    if (outcome.kind === 'refused') logger.warn('axis refused the status', entry);
    else logger.info('axis status handled', entry);
    return;
  }
  const outcome = await sendToAxis(deps, message);
  if (outcome.kind === 'refused') logger.warn('axis refused the document', { ...keys, outcome });
  else logger.info('axis delivery handled', { ...keys, outcome });
}

export const handler = sqsHandler(logger, processRecord);
