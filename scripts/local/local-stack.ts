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
import type { DevAuth } from './dev-token.ts';
import {
  type LocalResources,
  localCredentials,
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
  /** Serves `documents-api` over HTTP as API Gateway would; no API when omitted. */
  readonly api?: { readonly port: number; readonly auth: DevAuth };
  readonly onBatch?: (result: BatchResult) => void;
  readonly onForwarded?: (record: S3EventRecord) => void;
  readonly onError?: (error: unknown) => void;
}

export interface LocalStack {
  readonly endpoints: {
    readonly aws: string;
    readonly dynamodb: string;
    /** Set when the API was asked for. */
    readonly api?: string;
  };
  readonly resources: LocalResources;
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
  const env: Record<string, string> = {
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    // An IP endpoint makes every S3 client path-style; the others need no more than the URL.
    AWS_ENDPOINT_URL_S3: emulators.awsEndpoint,
    AWS_ENDPOINT_URL_SQS: emulators.awsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    EDOC_S3_ENDPOINT: emulators.awsEndpoint,
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
  };
  Object.assign(process.env, env);

  let bridge: Awaited<ReturnType<typeof startS3ToSqsBridge>> | undefined;
  let poller: EventSourcePoller | undefined;
  let api: HttpApi | undefined;
  const stepPollers: EventSourcePoller[] = [];
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
    for (const p of stepPollers) await p.stop();
    await poller?.stop();
    await bridge?.stop();
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
    env,
    async stop() {
      // Requests and uploads first, then the consumers, then the stores they all use.
      await api?.stop();
      await running.bridge.stop();
      await running.poller.stop();
      for (const p of stepPollers) await p.stop();
      await emulators.stop();
    },
  };
}

/** A GSI of the status table by name, so a renamed index fails here rather than in a query. */
function indexName(name: string): string {
  const index = statusTable.indexes.find((i) => i.indexName === name);
  if (index === undefined) throw new Error(`the status table has no index ${name}`);
  return index.indexName;
}
