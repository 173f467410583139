import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import type { ReportDocument } from '#shared/rollout/report.ts';
import type { ReportDocuments, ReportQuery, ReportSource } from '#shared/rollout/rollout-ports.ts';
import { DOCUMENT_STATUSES } from '#status/document-status.ts';
import { documentClient, queryAll } from './dynamodb.ts';
import { DeliveryRecordSchema, deliveriesOf } from './dynamodb-status-repository.ts';

/**
 * The parts of a document item (`DOC#<id>` / `DOC`) a report reads; `results.routing` and
 * `results.rejection` are written by the later pipeline steps, so a document they have not
 * reached yet has neither.
 */
const documentItemSchema = z.object({
  id: z.string(),
  issuer: z.string(),
  status: z.enum(DOCUMENT_STATUSES),
  createdAt: z.string(),
  attributes: z.looseObject({ typeCode: z.string() }),
  history: z.array(z.looseObject({ at: z.string(), status: z.enum(DOCUMENT_STATUSES) })),
  results: z
    .looseObject({
      routing: z.looseObject({ paperCopyRequired: z.boolean() }).optional(),
      rejection: z
        .looseObject({ reasons: z.array(z.looseObject({ code: z.string() })) })
        .optional(),
    })
    .default({}),
});

export interface DynamoDbReportSourceOptions {
  /** Name of the GSI keyed `ISSUER#<code>` / `<createdAt>#<id>`. @default 'byIssuer' */
  readonly issuerIndex?: string;
  /** Scan pages read at most when every agency is enrolled. @default 20 */
  readonly maxScanPages?: number;
  /** Items evaluated per scan page. @default - DynamoDB's 1 MB page */
  readonly scanPageSize?: number;
}

/**
 * Range of the `<createdAt>#<id>` sort key covering [from, to): document instants are written by
 * `toISOString()` (`…T08:00:00.000Z`), so the bounds are cut to the second and the upper one
 * padded; the report filters the exact window again.
 */
function sortKeyRange(window: ReportQuery['window']): { lo: string; hi: string } {
  return { lo: window.from.slice(0, 19), hi: `${window.to.slice(0, 19)}~` };
}

/**
 * ReportSource on the status table. With a list of enrolled issuers it queries the `byIssuer`
 * index per issuer (complete, and cheap at pilot scale). With every agency enrolled it scans the
 * table for document items created in the window, at most `maxScanPages` pages; when it stops
 * early the result says `complete: false` and the report carries that flag. A table the size of a
 * province's year of documents needs a by-date index instead.
 */
export class DynamoDbReportSource implements ReportSource {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #index: string;
  readonly #maxScanPages: number;
  readonly #scanPageSize: number | undefined;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    options: DynamoDbReportSourceOptions = {},
  ) {
    this.#db = documentClient(client);
    this.#table = tableName;
    this.#index = options.issuerIndex ?? 'byIssuer';
    this.#maxScanPages = options.maxScanPages ?? 20;
    this.#scanPageSize = options.scanPageSize;
  }

  async documentsCreated(query: ReportQuery): Promise<ReportDocuments> {
    const raw =
      query.issuers === 'all'
        ? await this.#scan(query)
        : { items: await this.#queryIssuers(query.issuers, query), complete: true };
    const electronicOnly = new Set(query.electronicOnlyTypes);
    const documents: ReportDocument[] = [];
    for (const item of raw.items) {
      const doc = documentItemSchema.parse(item);
      documents.push(toReportDocument(doc, await this.#deliveries(doc.id), electronicOnly));
    }
    return { documents, complete: raw.complete };
  }

  /** One query per document: fine at a province's scale, and always consistent with receipts. */
  async #deliveries(id: string): Promise<DeliveryRecord[]> {
    const items = await queryAll(this.#db, { TableName: this.#table, ...deliveriesOf(id) });
    return items.map((item) => DeliveryRecordSchema.parse(item));
  }

  async #queryIssuers(issuers: readonly string[], query: ReportQuery): Promise<unknown[]> {
    const { lo, hi } = sortKeyRange(query.window);
    const items: unknown[] = [];
    for (const issuer of new Set(issuers)) {
      const issued = await queryAll(this.#db, {
        TableName: this.#table,
        IndexName: this.#index,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': `ISSUER#${issuer}`, ':lo': lo, ':hi': hi },
      });
      items.push(...issued);
    }
    return items;
  }

  async #scan(query: ReportQuery): Promise<{ items: unknown[]; complete: boolean }> {
    const { lo, hi } = sortKeyRange(query.window);
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await this.#db.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: 'begins_with(pk, :doc) AND sk = :sk AND createdAt BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':doc': 'DOC#', ':sk': 'DOC', ':lo': lo, ':hi': hi },
          ExclusiveStartKey: start,
          Limit: this.#scanPageSize,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
      pages += 1;
    } while (start !== undefined && pages < this.#maxScanPages);
    return { items, complete: start === undefined };
  }
}

/**
 * A document and its deliveries as the report reads them. A delivery's `updatedAt` is when it
 * reached its current state: the arrival time for a delivered one (states 01–06 and the recall
 * codes) and the refusal time for 02.
 */
function toReportDocument(
  doc: z.infer<typeof documentItemSchema>,
  deliveries: readonly DeliveryRecord[],
  electronicOnly: ReadonlySet<string>,
): ReportDocument {
  const uploadedAt = doc.history.find((h) => h.status === 'UPLOADED')?.at;
  const notArrived = new Set(['PENDING', 'SENT', 'UNDELIVERABLE', '02']);
  return {
    id: doc.id,
    issuer: doc.issuer,
    type: doc.attributes.typeCode,
    status: doc.status,
    rejectionReasons: (doc.results.rejection?.reasons ?? []).map((r) => r.code),
    paperCopyRequired:
      doc.results.routing?.paperCopyRequired ?? !electronicOnly.has(doc.attributes.typeCode),
    createdAt: doc.createdAt,
    ...(uploadedAt === undefined ? {} : { uploadedAt }),
    recipients: deliveries.map((d) => ({
      agency: d.recipient,
      channel: d.channel,
      state: d.state,
      ...(notArrived.has(d.state) ? {} : { deliveredAt: d.updatedAt }),
      ...(d.state === '02' ? { refusedAt: d.updatedAt } : {}),
    })),
  };
}
