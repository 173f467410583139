import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageSpyReader, S3SpyEvent, SpyMessage } from 'fauxqs';

export interface S3ToSqsBridgeOptions {
  readonly spy: MessageSpyReader;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly bucket: string;
  readonly prefix: string;
  readonly queueUrl: string;
  readonly region: string;
  /** Called after each notification is on the queue. */
  readonly onForwarded?: (record: S3EventRecord) => void;
  /** A failed forward is reported and skipped; the bridge keeps running. */
  readonly onError?: (error: unknown, upload: { bucket: string; key: string }) => void;
}

export interface S3ToSqsBridge {
  /** Stops watching and waits for notifications already being sent. */
  stop(): Promise<void>;
}

export type S3CreatedEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload';

/** One record of an S3 event notification, in the shape S3 puts on SQS. */
export interface S3EventRecord {
  readonly eventVersion: '2.1';
  readonly eventSource: 'aws:s3';
  readonly awsRegion: string;
  readonly eventTime: string;
  readonly eventName: S3CreatedEventName;
  readonly userIdentity: { readonly principalId: string };
  readonly requestParameters: { readonly sourceIPAddress: string };
  readonly responseElements: { readonly 'x-amz-request-id': string; readonly 'x-amz-id-2': string };
  readonly s3: {
    readonly s3SchemaVersion: '1.0';
    readonly configurationId: string;
    readonly bucket: {
      readonly name: string;
      readonly ownerIdentity: { readonly principalId: string };
      readonly arn: string;
    };
    readonly object: {
      readonly key: string;
      readonly size: number;
      readonly eTag: string;
      readonly versionId?: string;
      readonly sequencer: string;
    };
  };
}

/**
 * The S3 → SQS notification that `addEventNotification` configures in AWS, which fauxqs lacks.
 * fauxqs reports each upload to its in-process message spy; the bridge turns those reports into
 * notification messages on the queue. Like S3 when a notification is configured, it first sends an
 * `s3:TestEvent`.
 *
 * fauxqs 2.4 reports a PostObject twice (from the store and from the POST action) and a CopyObject
 * as `uploaded` + `copied`, all synchronously within one request. Reports are therefore drained in
 * bursts and grouped by bucket and key, which yields one notification per upload and tells Put,
 * Post and Copy apart.
 */
export async function startS3ToSqsBridge(options: S3ToSqsBridgeOptions): Promise<S3ToSqsBridge> {
  const { spy, bucket, prefix } = options;
  await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: options.queueUrl,
      MessageBody: JSON.stringify(testEvent(bucket)),
    }),
  );

  const seen = new WeakSet<SpyMessage>();
  const isNew = (m: SpyMessage): m is S3SpyEvent =>
    m.service === 's3' &&
    (m.status === 'uploaded' || m.status === 'copied') &&
    m.bucket === bucket &&
    m.key.startsWith(prefix) &&
    !seen.has(m);

  let stopping = false;
  let signalStop = () => {};
  const stopped = new Promise<'stopped'>((resolve) => {
    signalStop = () => resolve('stopped');
  });
  let sending: Promise<void> = Promise.resolve();

  const watch = async () => {
    while (!stopping) {
      // On stop the pending waiter is simply abandoned; it goes away with the spy.
      const first = await Promise.race([spy.waitForMessage(isNew), stopped]);
      if (first === 'stopped') return;
      // Runs in the microtask after the request that reported, so its whole burst is buffered.
      const burst = spy.getAllMessages().filter(isNew);
      for (const m of burst) seen.add(m);
      for (const upload of groupUploads(burst)) {
        sending = sending.then(() => forward(options, upload));
      }
    }
  };
  const watching = watch();

  return {
    async stop() {
      stopping = true;
      signalStop();
      await watching;
      await sending;
    },
  };
}

interface Upload {
  readonly bucket: string;
  readonly key: string;
  readonly reports: readonly S3SpyEvent[];
}

function groupUploads(reports: readonly S3SpyEvent[]): Upload[] {
  const byObject = new Map<string, Upload>();
  for (const r of reports) {
    const id = `${r.bucket}/${r.key}`;
    const upload = byObject.get(id) ?? { bucket: r.bucket, key: r.key, reports: [] };
    byObject.set(id, { ...upload, reports: [...upload.reports, r] });
  }
  return [...byObject.values()];
}

async function forward(options: S3ToSqsBridgeOptions, upload: Upload): Promise<void> {
  try {
    const head = await options.s3.send(
      new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key }),
    );
    const eTag = (head.ETag ?? '').replaceAll('"', '');
    const record = s3EventRecord({
      region: options.region,
      bucket: upload.bucket,
      key: upload.key,
      size: head.ContentLength ?? 0,
      eTag,
      ...(head.VersionId !== undefined ? { versionId: head.VersionId } : {}),
      eventName: eventNameOf(upload.reports, eTag),
    });
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.queueUrl,
        MessageBody: JSON.stringify({ Records: [record] }),
      }),
    );
    options.onForwarded?.(record);
  } catch (error) {
    options.onError?.(error, { bucket: upload.bucket, key: upload.key });
  }
}

function eventNameOf(reports: readonly S3SpyEvent[], eTag: string): S3CreatedEventName {
  if (reports.some((r) => r.status === 'copied')) return 'ObjectCreated:Copy';
  if (reports.length > 1) return 'ObjectCreated:Post';
  // Multipart ETags end in -<number of parts>.
  if (/-\d+$/.test(eTag)) return 'ObjectCreated:CompleteMultipartUpload';
  return 'ObjectCreated:Put';
}

let sequence = 0n;

/** Builds one notification record as S3 does (event version 2.1). */
export function s3EventRecord(input: {
  region: string;
  bucket: string;
  key: string;
  size: number;
  eTag: string;
  versionId?: string;
  eventName: S3CreatedEventName;
  eventTime?: Date;
}): S3EventRecord {
  const eventTime = input.eventTime ?? new Date();
  sequence += 1n;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: eventTime.toISOString(),
    eventName: input.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(32).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'edoc-local-ingest',
      bucket: {
        name: input.bucket,
        ownerIdentity: { principalId: 'LOCAL' },
        arn: `arn:aws:s3:::${input.bucket}`,
      },
      object: {
        key: encodeS3EventKey(input.key),
        size: input.size,
        eTag: input.eTag,
        ...(input.versionId !== undefined ? { versionId: input.versionId } : {}),
        // Ordered per key like S3's: time, then a counter for events within one millisecond.
        sequencer: (BigInt(eventTime.getTime()) * 1000n + (sequence % 1000n))
          .toString(16)
          .toUpperCase()
          .padStart(18, '0'),
      },
    },
  };
}

/**
 * Keys in S3 notifications are form-URL-encoded (space as '+', '+' as %2B) with '/' kept, so
 * consumers must decode them; producing the same encoding locally keeps that decoding tested.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%2F', '/')
    .replaceAll('%20', '+');
}

function testEvent(bucket: string) {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucket,
    RequestId: randomBytes(8).toString('hex').toUpperCase(),
    HostId: randomBytes(32).toString('base64'),
  };
}
