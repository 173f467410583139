import { readFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import {
  countersignQueue,
  incomingPrefix,
  ingestFunctionTimeoutSeconds,
  ingestQueue,
  type QueueDefinition,
  routeQueue,
  statusTable,
  stepFunctionTimeoutSeconds,
} from '#infra/definitions.ts';
import { API_OPERATIONS } from '#shared/documents/api-contract.ts';
import type { Schedule } from '#shared/rollout/schedule.ts';
import { stateMachineInput } from '#shared/rollout/state-machine-input.ts';
import { type AgencyDirectory, loadAgencyDirectory } from '#shared/routing/directory.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import type { AxisStandIn } from './axis-stand-in.ts';
import type { DevAuth } from './dev-token.ts';
import {
  emulatorClientEnv,
  type LocalResources,
  localRegion,
  type QueueHandle,
  startEmulators,
} from './emulators.ts';
import {
  type BatchResult,
  type EventSourcePoller,
  type SqsHandler,
  startEventSourcePoller,
} from './event-source-poller.ts';
import { type HttpApi, startHttpApi } from './http-api.ts';
import {
  axisOutboxQueue,
  axisSenderTimeoutSeconds,
  type LocalAxisOptions,
  type PollSchedule,
  type PreparedLocalAxis,
  prepareLocalAxis,
  startPollSchedule,
} from './local-axis.ts';
import {
  type RolloutExecution,
  type RolloutRunner,
  startRolloutRunner,
  type TaskRecord,
} from './rollout-runner.ts';
import { type S3EventRecord, startS3ToSqsBridge } from './s3-to-sqs-bridge.ts';

export interface StartLocalStackOptions {
  /** Persisted state; in memory when omitted. */
  readonly stateDir?: string;
  /** 0 picks a free port. */
  readonly ports: { readonly aws: number; readonly dynamodb: number };
  /** Tests shorten the visibility timeout to see redrive within seconds. */
  readonly ingestQueueOverrides?: Partial<QueueDefinition>;
  /** Long-poll wait of the event source. @default 20 */
  readonly pollWaitSeconds?: number;
  /** Replaces the verify handler, e.g. with one that always fails. */
  readonly ingestHandler?: SqsHandler;
  /** Trust anchors, intermediates and CRLs for the verify step (see functions/lib/trust.ts). */
  readonly trustDir?: string;
  /** Agency directory JSON for the handlers (see functions/lib/reference.ts); the seed when omitted. */
  readonly directoryFile?: string;
  /** More handler environment, e.g. the PKCS#11 module and PIN file of `--hsm`. */
  readonly handlerEnv?: Readonly<Record<string, string>>;
  /** Serves `documents-api` over HTTP as API Gateway would; no API when omitted. */
  readonly api?: { readonly port: number; readonly auth: DevAuth };
  /**
   * The national axis: its stand-in, the outbox drained by the real axis-sender and the real
   * axis-poller on a schedule. Without it no axis is configured and the route step gives axis
   * recipients paper, as a deployment without an axis endpoint does.
   */
  readonly axis?: LocalAxisOptions;
  /**
   * The rollout state machine on aws-local-stepfunctions (see rollout-runner.ts), its functions
   * on the real handlers, and its task-token endpoint behind the API's approvals
   * (STATE_MACHINE_ARN, AWS_ENDPOINT_URL_SFN, REPORTS_BUCKET). Without it the approval routes
   * answer 503, as a deployment without the state machine does.
   */
  readonly rollout?: LocalRolloutOptions;
  readonly onBatch?: (result: BatchResult) => void;
  readonly onForwarded?: (record: S3EventRecord) => void;
  readonly onError?: (error: unknown) => void;
}

export interface LocalRolloutOptions {
  /** Compressed time: milliseconds each Wait state pauses. */
  readonly waitMs: number;
  /** 0 picks a free port. @default 0 */
  readonly sfnPort?: number;
  /**
   * Started at once, unless a policy of this schedule is already in force (a persisted state
   * dir: executions do not survive a restart, the policy does). @default none: callers start it
   */
  readonly schedule?: Schedule;
  readonly onTask?: (record: TaskRecord) => void;
}

export interface LocalStack {
  readonly endpoints: {
    readonly aws: string;
    readonly dynamodb: string;
    /** Set when the API was asked for. */
    readonly api?: string;
  };
  readonly resources: LocalResources;
  /** Set when the axis was asked for. */
  readonly axis?: {
    readonly standIn: AxisStandIn;
    readonly outboxQueue: QueueHandle;
    readonly deadLetterQueue: QueueHandle;
  };
  /** Set when the rollout was asked for. */
  readonly rollout?: {
    readonly runner: RolloutRunner;
    /** The schedule's execution, unless none was asked for or `skipped` says why. */
    readonly execution?: RolloutExecution;
    readonly skipped?: string;
  };
  /** The variables the handlers were started with. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The deployed pipeline on local stand-ins: emulators with the stack's resources, the S3 → SQS
 * notification and the Lambda event source, running the real handlers in this process.
 *
 * The handler's environment is set on `process.env` before the handler module is first imported,
 * because handlers read configuration at module load. A module is imported once per process, so
 * a second stack in the same process must use the same ports (a restart does).
 */
export async function startLocalStack(options: StartLocalStackOptions): Promise<LocalStack> {
  const emulators = await startEmulators({
    ports: options.ports,
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    ...(options.ingestQueueOverrides ? { ingestQueueOverrides: options.ingestQueueOverrides } : {}),
  });
  const { resources } = emulators;
  let axis: PreparedLocalAxis | undefined;
  try {
    axis =
      options.axis === undefined
        ? undefined
        : await prepareLocalAxis({
            sqs: emulators.clients.sqs,
            awsEndpoint: emulators.awsEndpoint,
            stateDir: options.stateDir,
            documentsBucket: resources.buckets.incoming,
            tableName: resources.table,
            directory: await directoryOf(options.directoryFile),
            options: options.axis,
          });
  } catch (error) {
    await emulators.stop();
    throw error;
  }
  const env: Record<string, string> = {
    ...emulatorClientEnv(emulators),
    // As infra/stateless-stack.ts sets them for the functions.
    INCOMING_BUCKET: resources.buckets.incoming,
    ARCHIVE_BUCKET: resources.buckets.archive,
    TABLE_NAME: resources.table,
    ISSUER_INDEX: indexName('byIssuer'),
    RECIPIENT_INDEX: indexName('byRecipient'),
    COUNTERSIGN_QUEUE_URL: resources.countersignQueue.url,
    ROUTE_QUEUE_URL: resources.routeQueue.url,
    POWERTOOLS_SERVICE_NAME: 'edoc-hub-local',
    ...(options.trustDir ? { TRUST_DIR: options.trustDir } : {}),
    ...(options.directoryFile ? { DIRECTORY_FILE: options.directoryFile } : {}),
    ...options.handlerEnv,
    // The route step's outbox, and (for the answers recipients report) the API's.
    ...axis?.env,
    ...(options.rollout ? { REPORTS_BUCKET: resources.buckets.reports } : {}),
  };
  Object.assign(process.env, env);

  let bridge: Awaited<ReturnType<typeof startS3ToSqsBridge>> | undefined;
  let poller: EventSourcePoller | undefined;
  let api: HttpApi | undefined;
  let rollout: LocalStack['rollout'];
  const stepPollers: EventSourcePoller[] = [];
  let schedule: PollSchedule | undefined;
  try {
    const handler =
      options.ingestHandler ?? (await import('#functions/verify-document.ts')).handler;
    bridge = await startS3ToSqsBridge({
      spy: emulators.fauxqs.spy,
      s3: emulators.clients.s3,
      sqs: emulators.clients.sqs,
      bucket: resources.buckets.incoming,
      prefix: incomingPrefix,
      queueUrl: resources.ingestQueue.url,
      region: localRegion,
      ...(options.onForwarded ? { onForwarded: options.onForwarded } : {}),
      onError: (error) => options.onError?.(error),
    });
    // Batch sizes as deployed; fewer concurrent invocations than deployed: one process suffices.
    const consume = (
      queue: QueueHandle,
      definition: QueueDefinition,
      fn: {
        readonly name: string;
        readonly handler: SqsHandler;
        readonly timeoutSeconds: number;
        readonly maxConcurrency: number;
        readonly onBatch?: (result: BatchResult) => void;
      },
    ) =>
      startEventSourcePoller({
        sqs: emulators.clients.sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        region: localRegion,
        handler: fn.handler,
        functionName: fn.name,
        batchSize: definition.batchSize,
        maxConcurrency: fn.maxConcurrency,
        functionTimeoutMs: fn.timeoutSeconds * 1000,
        ...(options.pollWaitSeconds !== undefined
          ? { waitTimeSeconds: options.pollWaitSeconds }
          : {}),
        ...(fn.onBatch ? { onBatch: fn.onBatch } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      });
    poller = consume(resources.ingestQueue, ingestQueue, {
      name: 'verify-document',
      handler,
      timeoutSeconds: ingestFunctionTimeoutSeconds,
      maxConcurrency: 2,
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
    if (options.ingestHandler === undefined) {
      const countersign = await import('#functions/countersign-document.ts');
      const route = await import('#functions/route-document.ts');
      stepPollers.push(
        consume(resources.countersignQueue, countersignQueue, {
          name: 'countersign-document',
          handler: countersign.handler,
          timeoutSeconds: stepFunctionTimeoutSeconds,
          maxConcurrency: 1,
        }),
        consume(resources.routeQueue, routeQueue, {
          name: 'route-document',
          handler: route.handler,
          timeoutSeconds: stepFunctionTimeoutSeconds,
          maxConcurrency: 1,
        }),
      );
    }
    if (axis !== undefined && options.axis !== undefined) {
      const sender = await import('#functions/axis-sender.ts');
      const poller = await import('#functions/axis-poller.ts');
      stepPollers.push(
        consume(
          axis.outboxQueue,
          { ...axisOutboxQueue, ...options.axis.outboxQueueOverrides },
          {
            name: 'axis-sender',
            handler: sender.handler,
            timeoutSeconds: axisSenderTimeoutSeconds,
            maxConcurrency: 1,
            ...(options.axis.onSend ? { onBatch: options.axis.onSend } : {}),
          },
        ),
      );
      schedule = startPollSchedule({
        handler: poller.handler,
        everyMs: (options.axis.pollSeconds ?? 60) * 1000,
        region: localRegion,
        ...(options.axis.onPoll ? { onPoll: options.axis.onPoll } : {}),
      });
    }
    if (options.rollout) {
      // Before the API: it reads the runner's STATE_MACHINE_ARN and SFN endpoint at import.
      rollout = await startLocalRollout(options.rollout, env, emulators.clients.dynamodb);
      Object.assign(env, rollout.runner.env);
    }
    if (options.api) {
      api = await startHttpApi({
        port: options.api.port,
        auth: options.api.auth,
        handler: (await import('#functions/documents-api.ts')).handler,
        routes: API_OPERATIONS,
        region: localRegion,
        ...(options.onError ? { onError: options.onError } : {}),
      });
    }
  } catch (error) {
    await rollout?.runner.stop();
    await schedule?.stop();
    for (const p of stepPollers) await p.stop();
    await poller?.stop();
    await bridge?.stop();
    await axis?.stop();
    await emulators.stop();
    throw error;
  }

  const running = { bridge, poller };
  return {
    endpoints: {
      aws: emulators.awsEndpoint,
      dynamodb: emulators.dynamodbEndpoint,
      ...(api ? { api: api.url } : {}),
    },
    resources,
    ...(axis
      ? {
          axis: {
            standIn: axis.standIn,
            outboxQueue: axis.outboxQueue,
            deadLetterQueue: axis.deadLetterQueue,
          },
        }
      : {}),
    ...(rollout ? { rollout } : {}),
    env,
    async stop() {
      // Requests and uploads first, then the consumers, then the stores they all use.
      await api?.stop();
      await rollout?.runner.stop();
      await running.bridge.stop();
      await running.poller.stop();
      await schedule?.stop();
      for (const p of stepPollers) await p.stop();
      await axis?.stop();
      await emulators.stop();
    },
  };
}

async function startLocalRollout(
  options: LocalRolloutOptions,
  env: Readonly<Record<string, string>>,
  dynamodb: DynamoDBClient,
): Promise<NonNullable<LocalStack['rollout']>> {
  const runner = await startRolloutRunner({
    env,
    waitMs: options.waitMs,
    ...(options.sfnPort !== undefined ? { sfnPort: options.sfnPort } : {}),
    ...(options.onTask ? { onTask: options.onTask } : {}),
  });
  const { schedule } = options;
  if (schedule === undefined) return { runner };
  const table = env['TABLE_NAME'] ?? '';
  const current = await new DynamoDbRolloutOverview(dynamodb, table).current();
  if (current.source === 'schedule' && current.scheduleId === schedule.id) {
    return {
      runner,
      skipped: `phase ${current.phaseId} of ${schedule.id} is in force already (delete the state dir to run it again)`,
    };
  }
  return { runner, execution: runner.start(stateMachineInput(schedule), { name: schedule.id }) };
}

/** The directory the handlers will load (see functions/lib/reference.ts), for the stand-in's agency list. */
async function directoryOf(file: string | undefined): Promise<AgencyDirectory> {
  if (file === undefined) return QUANG_NGAI_DIRECTORY;
  return loadAgencyDirectory(JSON.parse(await readFile(file, 'utf8')));
}

/** A GSI of the status table by name, so a renamed index fails here rather than in a query. */
function indexName(name: string): string {
  const index = statusTable.indexes.find((i) => i.indexName === name);
  if (index === undefined) throw new Error(`the status table has no index ${name}`);
  return index.indexName;
}
