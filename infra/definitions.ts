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

/** Timeout of the functions that consume the ingest queue (verify and countersign in one pass). */
export const ingestFunctionTimeoutSeconds = 60;

export const ingestQueue: QueueDefinition = {
  logicalName: 'Ingest',
  visibilityTimeoutSeconds: ingestFunctionTimeoutSeconds * 6,
  maxReceiveCount: 5,
  retentionDays: 14,
  dlqRetentionDays: 14,
};

/** Timeout of the countersign and route steps (a KMS or HSM signature, a few S3 writes). */
export const stepFunctionTimeoutSeconds = 60;

/** VERIFIED documents waiting for the organization signature. */
export const countersignQueue: QueueDefinition = {
  logicalName: 'Countersign',
  visibilityTimeoutSeconds: stepFunctionTimeoutSeconds * 6,
  maxReceiveCount: 5,
  retentionDays: 14,
  dlqRetentionDays: 14,
};

/** COUNTERSIGNED documents waiting to be archived and delivered. */
export const routeQueue: QueueDefinition = {
  logicalName: 'Route',
  visibilityTimeoutSeconds: stepFunctionTimeoutSeconds * 6,
  maxReceiveCount: 5,
  retentionDays: 14,
  dlqRetentionDays: 14,
};

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
