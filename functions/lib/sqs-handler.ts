import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * The handler of an SQS consumer: each record runs `processRecord`, and a record that throws is
 * reported as a batch item failure, so SQS redelivers only it (and parks it in the DLQ after
 * maxReceiveCount). Needs `reportBatchItemFailures` on the event source.
 */
export function sqsHandler(logger: Logger, processRecord: (record: SQSRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .handler((event, context) =>
      processPartialResponse(event, processRecord, processor, { context }),
    );
}
