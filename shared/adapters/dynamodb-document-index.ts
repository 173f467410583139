import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type {
  DocumentIndex,
  DocumentSummary,
  ListRequest,
  Page,
  ReceivedDelivery,
  TimeRange,
} from '#ports/document-index.ts';
import { decodeCursor, encodeCursor } from '#shared/documents/cursor.ts';
import { CHANNELS } from '#shared/routing/directory.ts';
import { DELIVERY_STATES, DOCUMENT_STATUSES } from '#status/document-status.ts';

export interface DynamoDbDocumentIndexOptions {
  /** GSI keyed `ISSUER#<code>` / `<createdAt>#<id>`. */
  readonly issuerIndex: string;
  /** GSI keyed `RECIPIENT#<code>` / `<deliveredAt>#<id>`. */
  readonly recipientIndex: string;
  /** Query pages read at most to fill one filtered page. @default 10 */
  readonly maxReads?: number;
}

const summarySchema = z.object({
  id: z.string(),
  issuer: z.string(),
  year: z.number(),
  number: z.string(),
  notation: z.string(),
  status: z.enum(DOCUMENT_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  attributes: z.looseObject({
    subject: z.string().optional(),
    typeCode: z.string().optional(),
  }),
});

const deliverySchema = z.object({
  documentId: z.string(),
  recipient: z.string(),
  channel: z.enum(CHANNELS),
  state: z.enum(DELIVERY_STATES),
  updatedAt: z.string(),
  reason: z.string().optional(),
  gsi2sk: z.string(),
});

interface IndexKeys {
  readonly index: string;
  readonly pk: 'gsi1pk' | 'gsi2pk';
  readonly sk: 'gsi1sk' | 'gsi2sk';
  readonly partition: string;
  /** Attribute the `status` filter compares. */
  readonly statusAttribute: 'status' | 'state';
}

/**
 * Range of the `<instant>#<id>` sort key between two inclusive bounds. Instants are stored as
 * `toISOString()`; a date bound covers its whole day, since `2019-06-14~` sorts after every
 * `2019-06-14T…` key.
 */
function sortKeyRange(range: TimeRange): { lo?: string; hi?: string } {
  const normalize = (bound: string) =>
    bound.length === 10 ? bound : new Date(Date.parse(bound)).toISOString();
  return {
    ...(range.from === undefined ? {} : { lo: normalize(range.from) }),
    ...(range.to === undefined ? {} : { hi: `${normalize(range.to)}~` }),
  };
}

/**
 * DocumentIndex on the status table's two GSIs. Each list is one index partition read newest
 * first; a status filter is a FilterExpression, so one page may take several reads, each asking
 * only for what the page still lacks, which keeps the cursor exact.
 */
export class DynamoDbDocumentIndex implements DocumentIndex {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #options: Required<DynamoDbDocumentIndexOptions>;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoDbDocumentIndexOptions) {
    this.#db = DynamoDBDocumentClient.from(client);
    this.#table = tableName;
    this.#options = { maxReads: 10, ...options };
  }

  async sentBy(
    issuer: string,
    request: ListRequest<DocumentSummary['status']>,
  ): Promise<Page<DocumentSummary>> {
    const page = await this.#query(
      {
        index: this.#options.issuerIndex,
        pk: 'gsi1pk',
        sk: 'gsi1sk',
        partition: `ISSUER#${issuer}`,
        statusAttribute: 'status',
      },
      request,
    );
    return {
      ...page,
      items: page.items.map((item) => {
        const { attributes, ...doc } = summarySchema.parse(item);
        return {
          ...doc,
          ...(attributes.subject === undefined ? {} : { subject: attributes.subject }),
          ...(attributes.typeCode === undefined ? {} : { typeCode: attributes.typeCode }),
        };
      }),
    };
  }

  async receivedBy(
    recipient: string,
    request: ListRequest<ReceivedDelivery['state']>,
  ): Promise<Page<ReceivedDelivery>> {
    const page = await this.#query(
      {
        index: this.#options.recipientIndex,
        pk: 'gsi2pk',
        sk: 'gsi2sk',
        partition: `RECIPIENT#${recipient}`,
        statusAttribute: 'state',
      },
      request,
    );
    return {
      ...page,
      items: page.items.map((item) => {
        const { gsi2sk, ...delivery } = deliverySchema.parse(item);
        return { ...delivery, deliveredAt: gsi2sk.slice(0, gsi2sk.lastIndexOf('#')) };
      }),
    };
  }

  async #query(
    keys: IndexKeys,
    request: ListRequest<string>,
  ): Promise<{ items: Record<string, unknown>[]; cursor?: string }> {
    let start: Record<string, unknown> | undefined =
      request.cursor === undefined
        ? undefined
        : decodeCursor(request.cursor, ['pk', 'sk', keys.pk, keys.sk], {
            field: keys.pk,
            value: keys.partition,
          });
    const { lo, hi } = sortKeyRange(request);
    const conditions = [`${keys.pk} = :pk`];
    if (lo !== undefined && hi !== undefined) conditions.push(`${keys.sk} BETWEEN :lo AND :hi`);
    else if (lo !== undefined) conditions.push(`${keys.sk} >= :lo`);
    else if (hi !== undefined) conditions.push(`${keys.sk} <= :hi`);
    const values: Record<string, unknown> = {
      ':pk': keys.partition,
      ...(lo === undefined ? {} : { ':lo': lo }),
      ...(hi === undefined ? {} : { ':hi': hi }),
      ...(request.status === undefined ? {} : { ':status': request.status }),
    };

    const items: Record<string, unknown>[] = [];
    let reads = 0;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: keys.index,
          KeyConditionExpression: conditions.join(' AND '),
          ...(request.status === undefined
            ? {}
            : {
                FilterExpression: '#status = :status',
                ExpressionAttributeNames: { '#status': keys.statusAttribute },
              }),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: request.limit - items.length,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
      reads += 1;
    } while (start !== undefined && items.length < request.limit && reads < this.#options.maxReads);
    return { items, ...(start === undefined ? {} : { cursor: encodeCursor(start) }) };
  }
}
