import type { EdxmlOrganization, EdxmlResponseFor } from '../edxml/fields.ts';
import type { EdxmlStatusCode } from '../edxml/status-message.ts';
import type { DeliveryRecord } from '../ports/status-repository.ts';
import type { DeliveryState } from '../status/document-status.ts';
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
  /** Where a PDF attachment is kept on its own (content-addressed), for the recipient. */
  readonly key?: string;
}

/** A package received over the axis that parsed, verified and was addressed to us, stored whole. */
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

/** One status answer the poller owes the sender of a package (01 or 02, per answering agency). */
export interface PlannedAnswer {
  readonly code: '01' | '02';
  readonly from: EdxmlOrganization;
  readonly description: string;
}

/**
 * What the poller decided about one axis message. Recorded before any answer goes out, so a poller
 * that takes over an abandoned claim sends the answers still owed instead of deciding again.
 */
export type InboundOutcome =
  | {
      readonly kind: 'delivered';
      /** The hub's document id, in the addressed agencies' inboxes. */
      readonly documentId: string;
      readonly edoc: InboundEdoc;
      readonly responseFor: EdxmlResponseFor;
      readonly answers: readonly PlannedAnswer[];
    }
  | {
      readonly kind: 'refused';
      readonly reason: string;
      readonly responseFor: EdxmlResponseFor;
      readonly answers: readonly PlannedAnswer[];
    }
  | { readonly kind: 'unanswerable'; readonly reason: string }
  | { readonly kind: 'status'; readonly status: StatusOutcome };

/** What a status message from the axis did to the delivery it names. */
export type StatusOutcome =
  | {
      readonly kind: 'applied' | 'duplicate' | 'not-allowed';
      readonly documentId: string;
      readonly recipient: string;
      readonly from: DeliveryState;
      readonly code: EdxmlStatusCode;
    }
  | { readonly kind: 'unknown-document'; readonly responseFor: EdxmlResponseFor }
  | {
      readonly kind: 'unknown-recipient';
      readonly documentId: string;
      readonly recipient: string;
    }
  | { readonly kind: 'malformed'; readonly reason: string };

/** The ledger row of one axis message: who holds it, what was decided, which answers went out. */
export interface InboundClaim {
  readonly axisDocId: string;
  /** When a poller first claimed it: the day of receipt for Decree 30's same-day answer. */
  readonly receivedAt: string;
  readonly owner: string;
  readonly leaseUntil: string;
  readonly outcome?: InboundOutcome;
  /** `<code>#<OrganId>` of every answer the axis accepted. */
  readonly answered: readonly string[];
  /** Set once nothing is left to do; the claim then stays, so the id is never handled again. */
  readonly finishedAt?: string;
}

/** The lease of a released claim: before any `now`, so the next claim takes it over. */
export const RELEASED_LEASE = new Date(0).toISOString();

export type ClaimResult =
  /** This poller holds the message (new, or taken over from an expired lease). */
  | { readonly kind: 'claimed'; readonly claim: InboundClaim }
  /** Another poller holds a live lease on it: skip. */
  | { readonly kind: 'held'; readonly claim: InboundClaim }
  /** Handled before: skip. */
  | { readonly kind: 'finished'; readonly claim: InboundClaim };

/**
 * Exactly-once handling of axis messages, keyed by the axis id. `claim` is one conditional write
 * made before any side effect; every later write is conditional on still being the owner and
 * throws LostClaimError otherwise.
 */
export interface InboundLedger {
  claim(
    axisDocId: string,
    owner: string,
    at: { readonly now: string; readonly leaseUntil: string },
  ): Promise<ClaimResult>;
  decide(axisDocId: string, owner: string, outcome: InboundOutcome): Promise<void>;
  /** Records that the axis accepted one answer (`<code>#<OrganId>`). */
  markAnswered(axisDocId: string, owner: string, answer: string): Promise<void>;
  finish(axisDocId: string, owner: string, at: string): Promise<void>;
  /**
   * Ends the lease after a failure (sets it to RELEASED_LEASE), so the next poll retries without
   * waiting it out.
   */
  release(axisDocId: string, owner: string): Promise<void>;
}

export interface AxisClock {
  now(): Date;
}
