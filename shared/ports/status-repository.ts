import type { Channel } from '../routing/directory.ts';
import type { DeliveryState, DocumentStatus } from '../status/document-status.ts';

export interface HistoryEntry {
  readonly at: string;
  readonly status: DocumentStatus;
  readonly actor: string;
  readonly note?: string;
}

/** The fields fixed when an agency announces a document. */
export interface NewDocument {
  readonly id: string;
  readonly issuer: string;
  readonly year: number;
  readonly number: string;
  readonly notation: string;
  readonly createdAt: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface DocumentRecord extends NewDocument {
  readonly status: DocumentStatus;
  readonly updatedAt: string;
  readonly history: readonly HistoryEntry[];
  /**
   * What the pipeline steps recorded, by step (`upload`, `verification`, `countersigned`,
   * `routing`, `rejection`); readers parse each entry with its schema.
   */
  readonly results: Readonly<Record<string, unknown>>;
}

/** One recipient's copy of a document. */
export interface DeliveryRecord {
  readonly recipient: string;
  readonly channel: Channel;
  readonly state: DeliveryState;
  readonly updatedAt: string;
  /** Why it is UNDELIVERABLE or refused, when it is. */
  readonly reason?: string;
}

export type CreateResult =
  | { readonly created: true }
  | { readonly created: false; readonly existingId: string };

/**
 * Status of documents. Every transition is one conditional write that checks the current status
 * and appends the history entry in the same write, so a redelivered message or a racing retry
 * can never apply a step twice.
 */
export interface StatusRepository {
  /** Creates the record unless the issuer already used this number and notation this year. */
  create(doc: NewDocument, entry: HistoryEntry): Promise<CreateResult>;
  get(id: string): Promise<DocumentRecord | undefined>;
  /**
   * Moves `id` from `from` to `to`, storing `changes` under `results`; throws
   * InvalidTransitionError when it is not in `from`.
   */
  transition(
    id: string,
    from: DocumentStatus,
    to: DocumentStatus,
    entry: HistoryEntry,
    changes?: Readonly<Record<string, unknown>>,
  ): Promise<void>;
  /**
   * Writes one delivery per recipient unless it exists: a retried routing step neither
   * duplicates a delivery nor resets one a recipient has already advanced.
   */
  recordDeliveries(id: string, deliveries: readonly DeliveryRecord[]): Promise<void>;
  deliveries(id: string): Promise<DeliveryRecord[]>;
  /**
   * Moves one recipient's delivery from `from` to `to` (an edXML status code it reported, or a
   * recall), storing `note` as its reason when given; throws InvalidTransitionError when the
   * delivery does not exist, is no longer in `from`, or the delivery model forbids the step.
   */
  advanceDelivery(
    id: string,
    recipient: string,
    from: DeliveryState,
    to: DeliveryState,
    at: string,
    note?: string,
  ): Promise<void>;
}

/**
 * What the national axis connector needs of the status table beyond StatusRepository: documents
 * that arrive already issued, and finding ours by number when a status message names one. Kept
 * apart so every StatusRepository need not implement it; both adapters of the table do.
 */
export interface AxisDocumentRecords {
  /**
   * Writes a document that arrived already issued (over the national axis), with its first
   * history entry and `results`, unless a record with this id exists. No number is claimed: the
   * number belongs to the sender's register. True when this call wrote it.
   */
  importDocument(
    doc: NewDocument,
    entry: HistoryEntry,
    results: Readonly<Record<string, unknown>>,
  ): Promise<boolean>;
  /** The id of the document `issuer` numbered `number/notation` in `year`, if the hub holds it. */
  findByNumber(
    issuer: string,
    year: number,
    number: string,
    notation: string,
  ): Promise<string | undefined>;
}
