import type { Channel } from '../routing/directory.ts';
import type { DeliveryState, DocumentStatus } from '../status/document-status.ts';

/**
 * One page of a list, newest first. `cursor` is opaque to callers: pass it back unchanged for
 * the next page; it is absent on the last one. A page may hold fewer than `limit` items when a
 * filter skipped some, and still have a cursor.
 */
export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

/** Bounds on the creation (sent) or delivery (received) instant, inclusive, ISO 8601. */
export interface TimeRange {
  readonly from?: string;
  readonly to?: string;
}

export interface ListRequest<S extends string> extends TimeRange {
  readonly status?: S;
  readonly limit: number;
  readonly cursor?: string;
}

/** What a list shows of a document; the full record is one GET away. */
export interface DocumentSummary {
  readonly id: string;
  readonly issuer: string;
  readonly year: number;
  readonly number: string;
  readonly notation: string;
  readonly subject?: string;
  readonly typeCode?: string;
  readonly status: DocumentStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One document delivered to the listing agency. */
export interface ReceivedDelivery {
  readonly documentId: string;
  readonly recipient: string;
  readonly channel: Channel;
  readonly state: DeliveryState;
  /** When the hub delivered it; the inbox is ordered by this. */
  readonly deliveredAt: string;
  readonly updatedAt: string;
  readonly reason?: string;
}

/**
 * The read side of the status table: documents by issuer and deliveries by recipient, each one
 * partition of an index, so an agency's list can never reach another agency's items. Throws
 * InvalidCursorError for a cursor it did not issue for this same partition.
 */
export interface DocumentIndex {
  sentBy(issuer: string, request: ListRequest<DocumentStatus>): Promise<Page<DocumentSummary>>;
  receivedBy(
    recipient: string,
    request: ListRequest<DeliveryState>,
  ): Promise<Page<ReceivedDelivery>>;
}
