import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/** An SQS record carrying an S3 ObjectCreated notification, as S3 sends it. */
export function makeS3NotificationRecord(
  overrides: { bucket?: string; key?: string; messageId?: string; eventName?: string } = {},
): SQSRecord {
  const key = overrides.key ?? 'incoming/H48.01/doc-1.pdf';
  const body = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: overrides.eventName ?? 'ObjectCreated:Post',
        eventTime: new Date().toISOString(),
        s3: {
          bucket: { name: overrides.bucket ?? 'incoming', arn: 'arn:aws:s3:::incoming' },
          object: {
            key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'),
            size: 1,
          },
        },
      },
    ],
  };
  return makeSqsRecord(JSON.stringify(body), overrides.messageId);
}

export function makeSqsRecord(body: string, messageId: string = crypto.randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingest',
    awsRegion: 'us-east-1',
  };
}

export const makeSqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

export function makeLambdaContext(name = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
