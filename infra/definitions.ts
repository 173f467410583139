/**
 * Resource shapes shared by the CDK stacks and the local stack, so the two cannot drift:
 * the local stack creates its tables and queues from these same objects.
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  readonly logicalName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  readonly timeToLiveAttribute?: string;
}

export interface QueueDefinition {
  readonly logicalName: string;
  /** Above six times the consumer's timeout, so in-flight idempotency records never expire under it. */
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  readonly dlqRetentionDays: number;
  /** Messages per invocation of the consuming function (its event source's batch size). */
  readonly batchSize: number;
  /** Invocations of the consuming function in flight at once (its event source's cap). */
  readonly maxConcurrency: number;
}

/** One table for documents, history, deliveries, directory, catalogue and rollout policy. */
export const statusTable: TableDefinition = {
  logicalName: 'Status',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [
    {
      indexName: 'byIssuer',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
    {
      indexName: 'byRecipient',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
    },
  ],
  timeToLiveAttribute: 'expiresAt',
};

/** A work queue drained by one function, with the retries and retention every step shares. */
function workQueue(
  logicalName: string,
  consumerTimeoutSeconds: number,
  consumer: Pick<QueueDefinition, 'batchSize' | 'maxConcurrency'>,
): QueueDefinition {
  return {
    logicalName,
    visibilityTimeoutSeconds: consumerTimeoutSeconds * 6,
    maxReceiveCount: 5,
    retentionDays: 14,
    dlqRetentionDays: 14,
    ...consumer,
  };
}

/** Timeout of the functions that consume the ingest queue (verify and countersign in one pass). */
export const ingestFunctionTimeoutSeconds = 60;

/** Upload notifications waiting for the verify step. */
export const ingestQueue = workQueue('Ingest', ingestFunctionTimeoutSeconds, {
  batchSize: 5,
  maxConcurrency: 10,
});

/** Timeout of the countersign and route steps (a KMS or HSM signature, a few S3 writes). */
export const stepFunctionTimeoutSeconds = 60;

/** VERIFIED documents waiting for the organization signature. */
export const countersignQueue = workQueue('Countersign', stepFunctionTimeoutSeconds, {
  batchSize: 1,
  maxConcurrency: 5, // KMS asymmetric Sign is rate-limited per account
});

/** COUNTERSIGNED documents waiting to be archived and delivered. */
export const routeQueue = workQueue('Route', stepFunctionTimeoutSeconds, {
  batchSize: 5,
  maxConcurrency: 10,
});

/** Prefix under which agencies upload: `incoming/<agency>/<documentId>.pdf`. */
export const incomingPrefix = 'incoming/';
/** Prefix of countersigned PDFs in the incoming bucket, until they are archived and delivered. */
export const countersignedPrefix = 'countersigned/';
/** Prefix of organization certificate chains (PEM) in the incoming bucket. */
export const certificatesPrefix = 'certificates/';

export type BucketPurpose = 'incoming' | 'archive' | 'reports' | 'logs';

/**
 * Bucket names are fixed by stage, account and region rather than generated, so that grants in
 * the stateless stack are plain ARNs (no cross-stack exports to pin) and the local stack uses the
 * same names without an account.
 */
export function bucketName(
  stage: string,
  purpose: BucketPurpose,
  account: string,
  region: string,
): string {
  return `edoc-${stage}-${purpose}-${account}-${region}`;
}
