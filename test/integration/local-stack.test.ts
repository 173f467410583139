import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseS3Notification } from '#functions/lib/s3-notification.ts';
import { ingestQueue, statusTable } from '#infra/definitions.ts';
import { makeS3NotificationRecord } from '#test/support/events.ts';
import { localCredentials, localRegion } from '../../scripts/local/emulators.ts';
import type { BatchResult } from '../../scripts/local/event-source-poller.ts';
import { type LocalStack, startLocalStack } from '../../scripts/local/local-stack.ts';
import type { S3EventRecord } from '../../scripts/local/s3-to-sqs-bridge.ts';

const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const clientConfig = { region: localRegion, credentials: localCredentials };

let stateDir: string;
let stack: LocalStack;
let ports: { aws: number; dynamodb: number };
const batches: BatchResult[] = [];
const forwarded: S3EventRecord[] = [];

function start(): Promise<LocalStack> {
  return startLocalStack({
    stateDir,
    ports,
    // One-second visibility so a failing message is received maxReceiveCount times within seconds.
    ingestQueueOverrides: { visibilityTimeoutSeconds: 1 },
    pollWaitSeconds: 1,
    onBatch: (result) => batches.push(result),
    onForwarded: (record) => forwarded.push(record),
  });
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Records that went through the handler, with the batch that carried them. */
function handled(predicate: (body: string) => boolean) {
  return batches.flatMap((batch) =>
    batch.records
      .filter((r) => predicate(r.body))
      .map((record) => ({ record, ok: batch.succeeded.includes(record.messageId) })),
  );
}

const keysIn = (body: string): string[] => {
  try {
    return parseS3Notification(body).map((o) => o.key);
  } catch {
    return [];
  }
};

/** The browser's way in: a multipart form POST, as a pre-signed POST form is sent. */
async function postUpload(key: string, body: Buffer): Promise<Response> {
  const form = new FormData();
  form.append('key', key);
  form.append('Content-Type', 'application/pdf');
  form.append('file', new Blob([body], { type: 'application/pdf' }), 'document.pdf');
  return fetch(`${stack.endpoints.aws}/${stack.resources.buckets.incoming}`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(5_000),
  });
}

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  stateDir = await mkdtemp(join(tmpdir(), 'edoc-local-stack-'));
  ports = { aws: 0, dynamodb: 0 };
  stack = await start();
  // Restarts must come back on the same ports: the handler module keeps its first endpoint.
  ports = {
    aws: Number(new URL(stack.endpoints.aws).port),
    dynamodb: Number(new URL(stack.endpoints.dynamodb).port),
  };
});

afterAll(async () => {
  await stack?.stop();
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
});

describe('local stack', () => {
  it('acknowledges the S3 test event that configuring the notification sends', async () => {
    const testEvents = await waitFor('the s3:TestEvent to be handled', () => {
      const found = handled((body) => body.includes('"s3:TestEvent"'));
      return found.length > 0 ? found : undefined;
    });
    expect(testEvents.every((t) => t.ok)).toBe(true);
  });

  it('delivers a PDF posted as a form to the verify handler, once, as S3 would notify it', async () => {
    const key = 'incoming/H48.01/Công văn số 12+1.pdf';

    const response = await postUpload(key, pdf);

    expect(response.status).toBe(204);
    const [delivery] = await waitFor('the upload to be handled', () => {
      const found = handled((body) => keysIn(body).includes(key));
      return found.length > 0 ? found : undefined;
    });
    // No upload request announced this key, so the verify step refuses it (UnknownUploadError):
    // the message fails, is retried, and ends in the DLQ with its alarm.
    expect(delivery?.ok).toBe(false);
    const notifications = forwarded.filter((r) => r.s3.object.key.startsWith('incoming/H48.01/C'));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Post',
      s3: {
        bucket: { name: stack.resources.buckets.incoming },
        object: {
          key: 'incoming/H48.01/C%C3%B4ng+v%C4%83n+s%E1%BB%91+12%2B1.pdf',
          size: pdf.length,
          eTag: createHash('md5').update(pdf).digest('hex'),
        },
      },
    });
    expect(delivery?.record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: stack.resources.ingestQueue.arn,
      attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('moves a message the handler fails every time to the DLQ after maxReceiveCount receives', async () => {
    const sqs = new SQSClient({ ...clientConfig, endpoint: stack.endpoints.aws });
    const poison = makeS3NotificationRecord({
      bucket: stack.resources.buckets.incoming,
      key: 'incoming/H48.01/never-uploaded.pdf',
    }).body;
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: stack.resources.ingestQueue.url, MessageBody: poison }),
    );

    let deadLettered: string | undefined;
    const deadline = Date.now() + 20_000;
    while (deadLettered === undefined && Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.resources.ingestDeadLetterQueue.url,
          WaitTimeSeconds: 1,
        }),
      );
      deadLettered = out.Messages?.find((m) => m.MessageId === MessageId)?.MessageId;
    }

    expect(deadLettered).toBe(MessageId);
    const attempts = handled((body) => body === poison);
    expect(attempts.map((a) => a.record.attributes.ApproximateReceiveCount)).toEqual(
      Array.from({ length: ingestQueue.maxReceiveCount }, (_, i) => String(i + 1)),
    );
    expect(attempts.every((a) => !a.ok)).toBe(true);
    sqs.destroy();
  });

  it('creates the status table with the keys and indexes of the CDK definition', async () => {
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: stack.endpoints.dynamodb });

    const { Table } = await dynamodb.send(
      new DescribeTableCommand({ TableName: stack.resources.table }),
    );

    expect(Table?.KeySchema).toEqual([
      { AttributeName: statusTable.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: statusTable.sortKey.name, KeyType: 'RANGE' },
    ]);
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema?.map((k) => k.AttributeName),
    }));
    expect(indexes).toEqual(
      expect.arrayContaining(
        statusTable.indexes.map((i) => ({
          name: i.indexName,
          keys: [i.partitionKey.name, i.sortKey.name],
        })),
      ),
    );
    expect(indexes).toHaveLength(statusTable.indexes.length);
    dynamodb.destroy();
  });

  it('creates the ingest queue with the redrive and retention of the CDK definition', async () => {
    const sqs = new SQSClient({ ...clientConfig, endpoint: stack.endpoints.aws });

    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.resources.ingestQueue.url,
        AttributeNames: ['All'],
      }),
    );

    expect(Attributes?.['MessageRetentionPeriod']).toBe(String(ingestQueue.retentionDays * 86_400));
    expect(JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}')).toEqual({
      deadLetterTargetArn: stack.resources.ingestDeadLetterQueue.arn,
      maxReceiveCount: ingestQueue.maxReceiveCount,
    });
    sqs.destroy();
  });

  it('restarts on the same state dir with its resources and objects still there', async () => {
    const key = 'incoming/H48.01/before-restart.pdf';
    await postUpload(key, pdf);
    await waitFor('the first upload to be handled', () =>
      handled((body) => keysIn(body).includes(key)).at(0),
    );
    await stack.stop();

    stack = await start();

    const s3 = new S3Client({
      ...clientConfig,
      endpoint: stack.endpoints.aws,
      forcePathStyle: true,
    });
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: stack.resources.buckets.incoming, Key: key }),
    );
    expect(head.ContentLength).toBe(pdf.length);
    const after = 'incoming/H48.01/after-restart.pdf';
    await postUpload(after, pdf);
    const delivery = await waitFor('the upload after restart to be handled', () =>
      handled((body) => keysIn(body).includes(after)).at(0),
    );
    expect(delivery.record.body).toContain('after-restart.pdf');
    // Objects loaded from disk are not uploads: nothing was notified twice.
    expect(forwarded.filter((r) => r.s3.object.key.endsWith('before-restart.pdf'))).toHaveLength(1);
    s3.destroy();
  });
});
