import { DomainError } from '../errors.ts';

/** Life of a document inside edoc-hub, from the upload request to its final state. */
export const DOCUMENT_STATUSES = [
  'AWAITING_UPLOAD',
  'UPLOADED',
  'VERIFIED',
  'COUNTERSIGNED',
  'ROUTED',
  'REJECTED',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

const NEXT: Readonly<Record<DocumentStatus, readonly DocumentStatus[]>> = {
  AWAITING_UPLOAD: ['UPLOADED', 'REJECTED'],
  UPLOADED: ['VERIFIED', 'REJECTED'],
  VERIFIED: ['COUNTERSIGNED', 'REJECTED'],
  COUNTERSIGNED: ['ROUTED', 'REJECTED'],
  ROUTED: [],
  REJECTED: [],
};

export const isTerminal = (status: DocumentStatus): boolean => NEXT[status].length === 0;

export const canTransition = (from: DocumentStatus, to: DocumentStatus): boolean =>
  NEXT[from].includes(to);

/**
 * Per-recipient delivery states: our own PENDING/SENT and UNDELIVERABLE (the rollout phase or the
 * directory leaves no electronic channel to that recipient: the issuer posts paper), then the
 * edXML status codes of QCVN 102
 * (01 arrived, 02 refused, 03 accepted, 04 awaiting assignment, 05 in progress, 06 done,
 * 13 recall requested, 15 recall agreed, 16 recall refused).
 */
export const DELIVERY_STATES = [
  'PENDING',
  'SENT',
  'UNDELIVERABLE',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '13',
  '15',
  '16',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const DELIVERY_NEXT: Readonly<Record<DeliveryState, readonly DeliveryState[]>> = {
  PENDING: ['SENT', '01', '02'],
  UNDELIVERABLE: [],
  SENT: ['01', '02'],
  '01': ['02', '03', '04', '13'],
  '02': [],
  '03': ['04', '05', '06', '13'],
  '04': ['05', '06', '13'],
  '05': ['06', '13'],
  '06': ['13'],
  '13': ['15', '16'],
  '15': [],
  '16': ['03', '04', '05', '06'],
};

/**
 * The step-by-step model: what an agency may report through the API, one code after the other
 * (receipt 01 before acceptance 03, and so on).
 */
export const canAdvanceDelivery = (from: DeliveryState, to: DeliveryState): boolean =>
  DELIVERY_NEXT[from].includes(to);

/** Receipt, acceptance, assignment, work and completion, in the order a recipient goes through. */
const PROGRESS: readonly DeliveryState[] = ['01', '03', '04', '05', '06'];

/**
 * What a status message from a peer on the national axis may do: every step of
 * canAdvanceDelivery, and any move forward in the progress order 01 → 03 → 04 → 05 → 06 from SENT,
 * PENDING or an earlier progress code. A peer's system sends only the codes it tracks (a
 * ministry may answer 03 with no separate 01), and a later code implies the earlier ones. Never
 * backwards, a refusal (02) only before acceptance, and recall answers only after a recall.
 * Storage guards use this one: it is a superset of canAdvanceDelivery.
 */
export const canAdvanceDeliveryOverAxis = (from: DeliveryState, to: DeliveryState): boolean => {
  if (canAdvanceDelivery(from, to)) return true;
  const target = PROGRESS.indexOf(to);
  if (target < 0) return false;
  if (from === 'PENDING' || from === 'SENT') return true;
  const current = PROGRESS.indexOf(from);
  return current >= 0 && target > current;
};

/** A transition the state model forbids, or one that lost a race with another writer. */
export class InvalidTransitionError extends DomainError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string, options?: { cause?: unknown }) {
    super(`a document cannot go from ${from} to ${to}`, options);
    this.from = from;
    this.to = to;
  }
}
