import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type {
  AxisDocumentRecords,
  CreateResult,
  DeliveryRecord,
  DocumentRecord,
  HistoryEntry,
  NewDocument,
  StatusRepository,
} from '#ports/status-repository.ts';
import { numberClaimKey } from '#shared/documents/document-record.ts';
import { CHANNELS } from '#shared/routing/directory.ts';
import {
  canAdvanceDeliveryOverAxis,
  canTransition,
  DELIVERY_STATES,
  type DeliveryState,
  DOCUMENT_STATUSES,
  type DocumentStatus,
  InvalidTransitionError,
} from '#status/document-status.ts';
import { conditionalWrite, documentClient, isConditionFailure, queryAll } from './dynamodb.ts';

const HistoryEntrySchema = z.object({
  at: z.string(),
  status: z.enum(DOCUMENT_STATUSES),
  actor: z.string(),
  note: z.string().optional(),
});

const DocumentRecordSchema = z.object({
  id: z.string(),
  issuer: z.string(),
  year: z.number(),
  number: z.string(),
  notation: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(DOCUMENT_STATUSES),
  attributes: z.record(z.string(), z.unknown()),
  history: z.array(HistoryEntrySchema),
  results: z.record(z.string(), z.unknown()).default({}),
});

/** A delivery item (`DOC#<id>` / `DELIVERY#<recipient>`), as the route step writes it. */
export const DeliveryRecordSchema = z.object({
  recipient: z.string(),
  channel: z.enum(CHANNELS),
  state: z.enum(DELIVERY_STATES),
  updatedAt: z.string(),
  reason: z.string().optional(),
});

const documentKey = (id: string) => ({ pk: `DOC#${id}`, sk: 'DOC' });
export const deliveryKey = (id: string, recipient: string) => ({
  pk: `DOC#${id}`,
  sk: `DELIVERY#${recipient}`,
});
/** Key condition of a Query for every delivery item of document `id`. */
export const deliveriesOf = (id: string) => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': `DOC#${id}`, ':prefix': 'DELIVERY#' },
});
const numberKey = (d: NewDocument) => numberClaimKey(d.issuer, d.year, d.number, d.notation);

/**
 * StatusRepository on the single status table. Without transactions (dynalite has none, and one
 * write is cheaper), a number is claimed by its own item before the document is written; a claim
 * left by a crash between the two writes is taken over by the next attempt.
 */
export class DynamoDbStatusRepository implements StatusRepository, AxisDocumentRecords {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async create(doc: NewDocument, entry: HistoryEntry): Promise<CreateResult> {
    const claimed = await this.#claimNumber(doc);
    if (!claimed.ok) return { created: false, existingId: claimed.existingId };
    await this.#putDocument(doc, entry, {}); // an existing item is a retry of the same create
    return { created: true };
  }

  /** Writes the document item unless it exists; false when it did. */
  #putDocument(
    doc: NewDocument,
    entry: HistoryEntry,
    results: Readonly<Record<string, unknown>>,
  ): Promise<boolean> {
    const item: DocumentRecord = {
      ...doc,
      status: entry.status,
      updatedAt: entry.at,
      history: [entry],
      results,
    };
    return conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...documentKey(doc.id),
            ...item,
            gsi1pk: `ISSUER#${doc.issuer}`,
            gsi1sk: `${doc.createdAt}#${doc.id}`,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async #claimNumber(doc: NewDocument): Promise<{ ok: true } | { ok: false; existingId: string }> {
    const claimedFresh = await conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...numberKey(doc), documentId: doc.id },
          ConditionExpression: 'attribute_not_exists(pk) OR documentId = :id',
          ExpressionAttributeValues: { ':id': doc.id },
        }),
      ),
    );
    if (claimedFresh) return { ok: true };
    const claim = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: numberKey(doc), ConsistentRead: true }),
    );
    const existingId = String(claim.Item?.['documentId'] ?? '');
    if (existingId !== '' && (await this.get(existingId))) return { ok: false, existingId };
    // The claim's document was never written (a crash between the two writes): take it over.
    const tookOver = await conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...numberKey(doc), documentId: doc.id },
          ConditionExpression: 'documentId = :old',
          ExpressionAttributeValues: { ':old': existingId },
        }),
      ),
    );
    return tookOver ? { ok: true } : this.#claimNumber(doc);
  }

  async get(id: string): Promise<DocumentRecord | undefined> {
    const out = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: documentKey(id), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return DocumentRecordSchema.parse(out.Item);
  }

  async transition(
    id: string,
    from: DocumentStatus,
    to: DocumentStatus,
    entry: HistoryEntry,
    changes: Readonly<Record<string, unknown>> = {},
  ): Promise<void> {
    if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
    const names: Record<string, string> = { '#status': 'status', '#history': 'history' };
    const values: Record<string, unknown> = {
      ':from': from,
      ':to': to,
      ':entry': [entry],
      ':at': entry.at,
    };
    const sets = ['#status = :to', '#history = list_append(#history, :entry)', 'updatedAt = :at'];
    Object.entries(changes).forEach(([key, value], i) => {
      names['#results'] = 'results';
      names[`#c${i}`] = key;
      values[`:c${i}`] = value;
      sets.push(`#results.#c${i} = :c${i}`);
    });
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: documentKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :from',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new InvalidTransitionError(from, to, { cause: error });
      throw error;
    }
  }

  async recordDeliveries(id: string, deliveries: readonly DeliveryRecord[]): Promise<void> {
    for (const delivery of deliveries) {
      // An existing delivery item was written by an earlier attempt of this step.
      await conditionalWrite(() =>
        this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...deliveryKey(id, delivery.recipient),
              ...delivery,
              documentId: id,
              // The recipient's inbox: newest first by the time the delivery was made.
              gsi2pk: `RECIPIENT#${delivery.recipient}`,
              gsi2sk: `${delivery.updatedAt}#${id}`,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    }
  }

  async deliveries(id: string): Promise<DeliveryRecord[]> {
    const items = await queryAll(this.#db, {
      TableName: this.#table,
      ...deliveriesOf(id),
      ConsistentRead: true,
    });
    return items.map((item) => DeliveryRecordSchema.parse(item));
  }

  async advanceDelivery(
    id: string,
    recipient: string,
    from: DeliveryState,
    to: DeliveryState,
    at: string,
    note?: string,
  ): Promise<void> {
    // The widest model any caller may use (the axis one); callers apply their own, stricter rule.
    if (!canAdvanceDeliveryOverAxis(from, to)) throw new InvalidTransitionError(from, to);
    // The inbox key (gsi2sk) keeps the time of delivery: a receipt does not reorder the inbox.
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: deliveryKey(id, recipient),
          UpdateExpression:
            note === undefined
              ? 'SET #state = :to, updatedAt = :at'
              : 'SET #state = :to, updatedAt = :at, reason = :note',
          ConditionExpression: 'attribute_exists(pk) AND #state = :from',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':from': from,
            ':to': to,
            ':at': at,
            ...(note === undefined ? {} : { ':note': note }),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new InvalidTransitionError(from, to, { cause: error });
      throw error;
    }
  }

  importDocument(
    doc: NewDocument,
    entry: HistoryEntry,
    results: Readonly<Record<string, unknown>>,
  ): Promise<boolean> {
    return this.#putDocument(doc, entry, results);
  }

  async findByNumber(
    issuer: string,
    year: number,
    number: string,
    notation: string,
  ): Promise<string | undefined> {
    let key: ReturnType<typeof numberClaimKey>;
    try {
      key = numberClaimKey(issuer, year, number, notation);
    } catch (error) {
      if (error instanceof RangeError) return undefined; // not a number the hub could have issued
      throw error;
    }
    const out = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    const id = out.Item?.['documentId'];
    return typeof id === 'string' && id !== '' ? id : undefined;
  }
}
