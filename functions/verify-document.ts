import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { inspectUpload } from '#shared/pipeline/inspect-upload.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { intEnv, requiredEnv } from './lib/env.ts';
import { parseS3Notification } from './lib/s3-notification.ts';

const logger = new Logger();
const store = new S3DocumentStore(makeS3Client(), requiredEnv('INCOMING_BUCKET'));
const maxBytes = intEnv('MAX_UPLOAD_BYTES', 50 * 1024 * 1024);
const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  for (const object of parseS3Notification(record.body)) {
    const inspection = inspectUpload(await store.get(object.key), { maxBytes });
    logger.info('upload inspected', {
      key: object.key,
      size: inspection.size,
      sha256: inspection.sha256,
      problems: inspection.problems.map((p) => p.code),
    });
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event, context) =>
    processPartialResponse(event, processRecord, processor, { context }),
  );
