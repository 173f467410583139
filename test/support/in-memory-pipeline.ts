import type { DocumentStore } from '#ports/document-store.ts';
import type {
  AxisDocumentRecords,
  CreateResult,
  DeliveryRecord,
  DocumentRecord,
  HistoryEntry,
  NewDocument,
  StatusRepository,
} from '#ports/status-repository.ts';
import {
  canAdvanceDeliveryOverAxis,
  canTransition,
  type DeliveryState,
  type DocumentStatus,
  InvalidTransitionError,
} from '#status/document-status.ts';

/** StatusRepository in memory with the same conditional semantics as the DynamoDB adapter. */
export class InMemoryStatusRepository implements StatusRepository, AxisDocumentRecords {
  readonly records = new Map<string, DocumentRecord>();
  readonly deliveryRecords = new Map<string, DeliveryRecord[]>();
  readonly #numbers = new Map<string, string>();

  async create(doc: NewDocument, entry: HistoryEntry): Promise<CreateResult> {
    const key = `${doc.issuer}#${doc.year}#${doc.number}/${doc.notation}`;
    const existingId = this.#numbers.get(key);
    if (existingId !== undefined && existingId !== doc.id) return { created: false, existingId };
    this.#numbers.set(key, doc.id);
    if (!this.records.has(doc.id)) {
      this.records.set(doc.id, {
        ...doc,
        status: entry.status,
        updatedAt: entry.at,
        history: [entry],
        results: {},
      });
    }
    return { created: true };
  }

  async get(id: string): Promise<DocumentRecord | undefined> {
    const r = this.records.get(id);
    return r === undefined ? undefined : structuredClone(r);
  }

  async transition(
    id: string,
    from: DocumentStatus,
    to: DocumentStatus,
    entry: HistoryEntry,
    changes: Readonly<Record<string, unknown>> = {},
  ): Promise<void> {
    if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
    const r = this.records.get(id);
    if (r?.status !== from) throw new InvalidTransitionError(from, to);
    this.records.set(id, {
      ...r,
      status: to,
      updatedAt: entry.at,
      history: [...r.history, entry],
      results: { ...r.results, ...structuredClone(changes) },
    });
  }

  async recordDeliveries(id: string, deliveries: readonly DeliveryRecord[]): Promise<void> {
    const existing = this.deliveryRecords.get(id) ?? [];
    const known = new Set(existing.map((d) => d.recipient));
    this.deliveryRecords.set(id, [
      ...existing,
      ...deliveries.filter((d) => !known.has(d.recipient)),
    ]);
  }

  async deliveries(id: string): Promise<DeliveryRecord[]> {
    return [...(this.deliveryRecords.get(id) ?? [])];
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
    const all = this.deliveryRecords.get(id) ?? [];
    const current = all.find((d) => d.recipient === recipient);
    if (current?.state !== from) throw new InvalidTransitionError(from, to);
    const next: DeliveryRecord = {
      ...current,
      state: to,
      updatedAt: at,
      ...(note === undefined ? {} : { reason: note }),
    };
    this.deliveryRecords.set(
      id,
      all.map((d) => (d === current ? next : d)),
    );
  }

  async importDocument(
    doc: NewDocument,
    entry: HistoryEntry,
    results: Readonly<Record<string, unknown>>,
  ): Promise<boolean> {
    if (this.records.has(doc.id)) return false;
    this.records.set(doc.id, {
      ...doc,
      status: entry.status,
      updatedAt: entry.at,
      history: [entry],
      results: structuredClone(results),
    });
    return true;
  }

  async findByNumber(
    issuer: string,
    year: number,
    number: string,
    notation: string,
  ): Promise<string | undefined> {
    return this.#numbers.get(`${issuer}#${year}#${number}/${notation}`);
  }
}

export class InMemoryDocumentStore implements DocumentStore {
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();
  puts = 0;

  async get(key: string): Promise<Buffer> {
    const o = this.objects.get(key);
    if (o === undefined) throw new Error(`no object ${key}`);
    return Buffer.from(o.body);
  }

  async put(key: string, body: Buffer, options: { contentType: string }): Promise<void> {
    this.puts += 1;
    this.objects.set(key, { body: Buffer.from(body), contentType: options.contentType });
  }
}

/** A StepQueue that records what it was handed. */
export class RecordingQueue {
  readonly sent: { documentId: string }[] = [];
  async send(message: { readonly documentId: string }): Promise<void> {
    this.sent.push({ ...message });
  }
}
