import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { invokeHandler } from './invoke-handler.ts';

/**
 * A Lambda SQS handler. Its answer is `unknown` because the poller checks it the way Lambda does:
 * nothing means all succeeded, otherwise it must be an `SQSBatchResponse` naming batch ids.
 */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** What one invocation did; `failed` messages stay on the queue and come back after the timeout. */
export interface BatchResult {
  readonly records: readonly SQSRecord[];
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
  /** Set when the handler threw, timed out or answered something Lambda would reject. */
  readonly error?: unknown;
}

export interface EventSourcePollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly handler: SqsHandler;
  readonly functionName: string;
  /** Messages per invocation, 1 to 10 (one ReceiveMessage call). @default 10 */
  readonly batchSize?: number;
  /** Invocations in flight at once. @default 2 */
  readonly maxConcurrency?: number;
  /** Long-poll wait, 0 to 20 seconds. @default 20 */
  readonly waitTimeSeconds?: number;
  /** After this the batch counts as failed, as a Lambda timeout would. @default 60_000 */
  readonly functionTimeoutMs?: number;
  readonly onBatch?: (result: BatchResult) => void;
  /** Receive or delete errors; the poller backs off and keeps going. */
  readonly onError?: (error: unknown) => void;
}

export interface EventSourcePoller {
  /** Stops receiving, lets in-flight invocations finish and settle their messages. */
  stop(): Promise<void>;
}

const BatchResponseSchema: z.ZodType<SQSBatchResponse> = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) })),
});

/**
 * What Lambda's SQS event source mapping does with `reportBatchItemFailures`: long-polls the
 * queue, invokes the handler with real SQS records, deletes what succeeded and leaves the rest to
 * reappear after the visibility timeout, so the emulator's redrive moves them to the DLQ after
 * `maxReceiveCount` receives. A thrown handler, a timeout or an invalid response fails the batch.
 */
export function startEventSourcePoller(options: EventSourcePollerOptions): EventSourcePoller {
  const concurrency = options.maxConcurrency ?? 2;
  const abort = new AbortController();
  const loops = Array.from({ length: concurrency }, () => pollLoop(options, abort.signal));
  return {
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}

async function pollLoop(options: EventSourcePollerOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const out = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize ?? 10,
          WaitTimeSeconds: options.waitTimeSeconds ?? 20,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      messages = out.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return;
      options.onError?.(error);
      await sleep(1000);
      continue;
    }
    if (messages.length === 0) continue;
    // Not cancelled by stop: a started invocation runs to the end and settles its messages.
    await invoke(
      options,
      messages.map((m) => toRecord(m, options)),
    );
  }
}

async function invoke(options: EventSourcePollerOptions, records: SQSRecord[]): Promise<void> {
  const ids = records.map((r) => r.messageId);
  let failed: string[];
  let error: unknown;
  try {
    const response = await invokeHandler(
      options.handler,
      { Records: records },
      {
        name: options.functionName,
        region: options.region,
        memoryMb: 1024,
        timeoutMs: options.functionTimeoutMs ?? 60_000,
      },
    );
    failed = failedIds(response, ids);
  } catch (caught) {
    error = caught;
    failed = ids;
  }
  const succeeded = records.filter((r) => !failed.includes(r.messageId));
  if (succeeded.length > 0) {
    try {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: succeeded.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    } catch (deleteError) {
      options.onError?.(deleteError);
    }
  }
  options.onBatch?.({
    records,
    succeeded: succeeded.map((r) => r.messageId),
    failed,
    ...(error !== undefined ? { error } : {}),
  });
}

/** Lambda's rules: no response or an empty list means all succeeded; an unknown id fails all. */
function failedIds(response: unknown, ids: readonly string[]): string[] {
  if (response === undefined || response === null) return [];
  const parsed = BatchResponseSchema.safeParse(response);
  if (!parsed.success) throw new Error('invalid batch response', { cause: parsed.error });
  const failed = parsed.data.batchItemFailures.map((f) => f.itemIdentifier);
  const unknown = failed.filter((id) => !ids.includes(id));
  if (unknown.length > 0) throw new Error(`batch response names unknown ids: ${unknown.join()}`);
  return failed;
}

function toRecord(message: Message, options: EventSourcePollerOptions): SQSRecord {
  const a = message.Attributes ?? {};
  const now = String(Date.now());
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: a['SentTimestamp'] ?? now,
      SenderId: a['SenderId'] ?? '',
      ApproximateFirstReceiveTimestamp: a['ApproximateFirstReceiveTimestamp'] ?? now,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, v]) => [
        name,
        {
          dataType: v.DataType ?? 'String',
          ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
          ...(v.BinaryValue !== undefined
            ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') }
            : {}),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined
      ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
