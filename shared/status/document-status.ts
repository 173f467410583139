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

export const canAdvanceDelivery = (from: DeliveryState, to: DeliveryState): boolean =>
  DELIVERY_NEXT[from].includes(to);

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
