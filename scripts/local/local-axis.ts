import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { QueueDefinition } from '#infra/definitions.ts';
import type { PollResult } from '#shared/axis/poll-axis.ts';
import type { AgencyDirectory } from '#shared/routing/directory.ts';
import { AxisStandIn } from './axis-stand-in.ts';
import {
  ensureQueueWithDeadLetter,
  localAccount,
  PortInUseError,
  type QueueHandle,
  queueOnEndpoint,
} from './emulators.ts';
import type { BatchResult } from './event-source-poller.ts';
import { invokeHandler } from './invoke-handler.ts';

/**
 * The axis outbox as infra/constructs/axis-connector.ts creates it with its defaults: visibility
 * six times the sender's 90 s timeout, parked after 5 receives, 14 days' retention, and the
 * sender's event source (batch 5, at most 5 at once).
 * TODO(infra): the construct builds its queue inline; once infra/definitions.ts exports this
 * definition and the construct uses it, import it here instead.
 */
export const axisOutboxQueue: QueueDefinition = {
  logicalName: 'AxisOutbox',
  visibilityTimeoutSeconds: 90 * 6,
  maxReceiveCount: 5,
  retentionDays: 14,
  dlqRetentionDays: 14,
  batchSize: 5,
  maxConcurrency: 5,
};

/** The axis functions' timeouts in the construct (sender 90 s, poller 5 min). */
export const axisSenderTimeoutSeconds = 90;
export const axisPollerTimeoutSeconds = 300;

/** Who the hub speaks for on the axis locally: the province (the seed's root agency). */
export const LOCAL_AXIS_ORGANIZATION = { id: '000.00.00.H48', name: 'UBND tỉnh Quảng Ngãi' };
export const LOCAL_AXIS_SYSTEM_ID = 'edoc-hub-local';

export interface LocalAxisOptions {
  /** The stand-in's port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Seconds between runs of the poller (the EventBridge schedule). @default 60 */
  readonly pollSeconds?: number;
  /** The stand-in answers what we send with 01, then 03, this far apart. @default 2000 */
  readonly answerDelayMs?: number;
  /** Tests shorten the visibility timeout to see redrive within seconds. */
  readonly outboxQueueOverrides?: Partial<QueueDefinition>;
  /** After each scheduled run: its result, or why it failed (the next run tries again). */
  readonly onPoll?: (outcome: { result?: PollResult; error?: unknown }) => void;
  /** After each batch of the axis sender. */
  readonly onSend?: (result: BatchResult) => void;
  /** Keep every request the stand-in receives (headers and body), for tests. @default false */
  readonly recordRequests?: boolean;
}

export interface PreparedLocalAxis {
  readonly standIn: AxisStandIn;
  readonly outboxQueue: QueueHandle;
  readonly deadLetterQueue: QueueHandle;
  /** As the construct sets it on both axis functions, the secret as a file. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The national axis side of the local stack, before any handler is imported: the stand-in on
 * loopback (its waiting list under `<stateDir>/axis/`), the outbox queue and its DLQ, and the
 * system secret in `<stateDir>/axis/secret` (made once, random), which the handlers read through
 * AXIS_SECRET_FILE, the local branch of functions/lib/axis-client.ts. Without a state dir the
 * secret goes to a temporary folder removed by `stop`.
 */
export async function prepareLocalAxis(params: {
  readonly sqs: SQSClient;
  readonly stateDir: string | undefined;
  readonly documentsBucket: string;
  readonly tableName: string;
  /** fauxqs names queues on `sqs.<region>.localhost`; their URLs are moved onto this endpoint. */
  readonly awsEndpoint: string;
  readonly directory: AgencyDirectory;
  readonly options: LocalAxisOptions;
}): Promise<PreparedLocalAxis> {
  const { options } = params;
  const temporary =
    params.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'edoc-axis-')) : undefined;
  const axisDir = join(params.stateDir ?? temporary ?? '', 'axis');
  await mkdir(axisDir, { recursive: true, mode: 0o700 });
  const secretFile = join(axisDir, 'secret');
  const secret = await secretAt(secretFile);
  const created = await ensureQueueWithDeadLetter(params.sqs, {
    ...axisOutboxQueue,
    ...options.outboxQueueOverrides,
  });
  const queue = queueOnEndpoint(created.queue, params.awsEndpoint);
  const deadLetterQueue = queueOnEndpoint(created.deadLetterQueue, params.awsEndpoint);
  const standIn = await AxisStandIn.start({
    secret,
    systemId: LOCAL_AXIS_SYSTEM_ID,
    port: options.port,
    agencies: params.directory.agencies
      .filter((a) => a.channel === 'national-axis')
      .map((a) => ({ id: a.code, name: a.name })),
    answers: { delayMs: options.answerDelayMs ?? 2000 },
    recordRequests: options.recordRequests ?? false,
    ...(params.stateDir === undefined ? {} : { stateDir: join(axisDir, 'stand-in') }),
  }).catch(async (error: unknown) => {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    const inUse = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
    throw inUse ? new PortInUseError('axis', options.port, { cause: error }) : error;
  });
  return {
    standIn,
    outboxQueue: queue,
    deadLetterQueue,
    env: {
      AXIS_OUTBOX_QUEUE_URL: queue.url,
      AXIS_ENDPOINT: standIn.url,
      AXIS_SYSTEM_ID: LOCAL_AXIS_SYSTEM_ID,
      AXIS_ORGAN_ID: LOCAL_AXIS_ORGANIZATION.id,
      AXIS_ORGAN_NAME: LOCAL_AXIS_ORGANIZATION.name,
      AXIS_SECRET_FILE: secretFile,
      DOCUMENTS_BUCKET: params.documentsBucket,
    },
    async stop() {
      await standIn.stop();
      if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    },
  };
}

async function secretAt(file: string): Promise<string> {
  try {
    const value = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    if (value !== '') return value;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  const value = randomBytes(32).toString('hex');
  await writeFile(file, value, { mode: 0o600 });
  return value;
}

export interface PollSchedule {
  /** Waits for a run in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * The EventBridge rule's stand-in: invokes the poller handler with a scheduled event once at
 * start and then every `everyMs` after the previous run ended, never two at once (the deployed
 * function has a reserved concurrency of 1).
 */
export function startPollSchedule(params: {
  readonly handler: (event: ScheduledEvent, context: Context) => Promise<PollResult>;
  readonly everyMs: number;
  readonly region: string;
  readonly onPoll?: LocalAxisOptions['onPoll'];
}): PollSchedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const run = async () => {
    while (!stopped) {
      const time = new Date().toISOString();
      try {
        const result = await invokeHandler(params.handler, scheduledEvent(time, params.region), {
          name: 'axis-poller',
          region: params.region,
          memoryMb: 1024,
          timeoutMs: axisPollerTimeoutSeconds * 1000,
        });
        params.onPoll?.({ result });
      } catch (error) {
        params.onPoll?.({ error });
      }
      if (stopped) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, params.everyMs);
      });
    }
  };
  const running = run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}

function scheduledEvent(time: string, region: string): ScheduledEvent {
  return {
    version: '0',
    id: `local-${time}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: localAccount,
    time,
    region,
    resources: [`arn:aws:events:${region}:${localAccount}:rule/edoc-local-axis-poll`],
    detail: {},
  };
}
