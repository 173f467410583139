import type { DeliveryRecord } from '../ports/status-repository.ts';
import type { AxisAgency } from './responses.ts';

/**
 * The national document axis, as the outbound adapter sees it. Methods throw AxisRejectedError
 * (refused: do not retry) or AxisUnavailableError (retry later); nothing else on purpose.
 */
export interface AxisClient {
  /** Hand one edXML package (the exact bytes, hashed into `hash-file`) to the axis for `to`. */
  sendEdoc(body: Buffer, to: string): Promise<{ readonly docId: string }>;
  /** Axis ids of the packages waiting for us (until we answer them with a status). */
  getReceivedEdocList(): Promise<string[]>;
  /** The raw edXML of one waiting package. */
  getEdoc(docId: string): Promise<Buffer>;
  /** Send an edXML status message (built with buildStatusMessage) to the document's sender. */
  updateStatus(statusXml: Buffer): Promise<void>;
  getAgencies(): Promise<AxisAgency[]>;
}

/** Where the system secret that signs axis requests comes from (Secrets Manager, a file). */
export interface SecretSource {
  secret(): Promise<string>;
}

/**
 * Delivery records of documents going out over the axis (the rows the route step writes PENDING).
 * Both writes are conditional on the delivery still being PENDING.
 */
export interface AxisDeliveries {
  get(documentId: string, recipient: string): Promise<DeliveryRecord | undefined>;
  /** PENDING → SENT with the axis's id; InvalidTransitionError if it is no longer PENDING. */
  markSent(
    documentId: string,
    recipient: string,
    sent: { readonly axisDocId: string; readonly at: string },
  ): Promise<void>;
  /**
   * The axis refused the package for good: PENDING → refused, with the axis's code and reason, so
   * the issuer can post paper. InvalidTransitionError if it is no longer PENDING.
   */
  markFailed(
    documentId: string,
    recipient: string,
    failure: { readonly code: string; readonly reason: string; readonly at: string },
  ): Promise<void>;
}

/** One attachment of a received package, as checked by the parser. */
export interface InboundAttachment {
  readonly contentId: string;
  readonly name: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly size: number;
}

/** A package received over the axis that parsed and was addressed to us, stored whole. */
export interface InboundEdoc {
  readonly axisDocId: string;
  readonly receivedAt: string;
  /** Where the raw package is, in the document store (content-addressed). */
  readonly packageKey: string;
  readonly sha256: string;
  readonly size: number;
  /** MessageHeader/DocumentId: `OrganId,yyyy/MM/dd,Number/Notation`. */
  readonly documentId: string;
  readonly from: string;
  /** Recipients among ours (the To entries we serve), in the package's order. */
  readonly recipients: readonly { readonly organId: string; readonly organName: string }[];
  readonly subject: string;
  readonly codeNumber: string;
  readonly codeNotation: string;
  readonly promulgationDate: string;
  readonly priority?: string;
  readonly attachments: readonly InboundAttachment[];
}

export interface InboundRecord extends InboundEdoc {
  /** When we told the sender 01 (arrived); absent until the axis accepted that status. */
  readonly acknowledgedAt?: string;
}

/** Packages received from the axis, keyed by the axis's id. */
export interface InboundEdocs {
  get(axisDocId: string): Promise<InboundRecord | undefined>;
  /** Writes the record unless one exists for this axis id (a retried poll writes nothing). */
  record(edoc: InboundEdoc): Promise<void>;
  markAcknowledged(axisDocId: string, at: string): Promise<void>;
}

export interface AxisClock {
  now(): Date;
}
