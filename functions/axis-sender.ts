import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbAxisDeliveries } from '#adapters/dynamodb-axis-records.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { parseAxisOutboxMessage } from '#shared/axis/outbox-message.ts';
import { sendToAxis } from '#shared/axis/send-to-axis.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { makeAxisClient } from './lib/axis-client.ts';
import { requiredEnv } from './lib/env.ts';

const logger = new Logger();
const deps = {
  client: makeAxisClient(),
  store: new S3DocumentStore(makeS3Client(), requiredEnv('DOCUMENTS_BUCKET')),
  status: new DynamoDbAxisDeliveries(new DynamoDBClient({}), requiredEnv('TABLE_NAME')),
  clock: { now: () => new Date() },
};
const processor = new BatchProcessor(EventType.SQS);

/**
 * A refusal is recorded by sendToAxis and returned; anything thrown (axis unavailable, a bad
 * message, S3 or DynamoDB errors) fails only this record, which SQS redelivers after the
 * visibility timeout and parks in the DLQ after maxReceiveCount.
 */
async function processRecord(record: SQSRecord): Promise<void> {
  const message = parseAxisOutboxMessage(record.body);
  const outcome = await sendToAxis(deps, message);
  // Records run concurrently: keys go in each entry, not appendKeys on the shared logger.
  const keys = { documentId: message.documentId, recipient: message.recipient, outcome };
  if (outcome.kind === 'refused') logger.warn('axis refused the document', keys);
  else logger.info('axis delivery handled', keys);
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event, context) =>
    processPartialResponse(event, processRecord, processor, { context }),
  );
