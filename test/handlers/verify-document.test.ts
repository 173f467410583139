import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  makeLambdaContext,
  makeS3NotificationRecord,
  makeSqsEvent,
  makeSqsRecord,
} from '#test/support/events.ts';
import { startLocalAws } from '#test/support/local-aws.ts';

let localAws: Awaited<ReturnType<typeof startLocalAws>>;
let handler: typeof import('#functions/verify-document.ts').handler;

beforeAll(async () => {
  localAws = await startLocalAws();
  const s3 = new S3Client({ endpoint: localAws.endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'incoming' }));
  await s3.send(
    new PutObjectCommand({
      Bucket: 'incoming',
      Key: 'incoming/H48.01/good doc.pdf',
      Body: Buffer.from('%PDF-1.7\n%%EOF\n'),
    }),
  );
  vi.stubEnv('INCOMING_BUCKET', 'incoming');
  vi.stubEnv('EDOC_S3_ENDPOINT', localAws.endpoint);
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  ({ handler } = await import('#functions/verify-document.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await localAws.stop();
});

describe('verify-document handler', () => {
  it('reports only the records it could not process as batch item failures', async () => {
    const good = makeS3NotificationRecord({
      key: 'incoming/H48.01/good doc.pdf',
      messageId: 'good',
    });
    const missing = makeS3NotificationRecord({
      key: 'incoming/H48.01/gone.pdf',
      messageId: 'gone',
    });
    const garbage = makeSqsRecord('not json', 'garbage');

    const result = await handler(makeSqsEvent([good, missing, garbage]), makeLambdaContext());

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'garbage',
      'gone',
    ]);
  });

  it('acknowledges the S3 test event that configuring the notification sends', async () => {
    const testEvent = makeSqsRecord(JSON.stringify({ Event: 's3:TestEvent', Bucket: 'incoming' }));
    const result = await handler(makeSqsEvent([testEvent]), makeLambdaContext());
    expect(result.batchItemFailures).toEqual([]);
  });
});
