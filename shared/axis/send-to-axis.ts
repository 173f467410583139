import { DomainError } from '../errors.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import { type DeliveryState, InvalidTransitionError } from '../status/document-status.ts';
import { AxisRejectedError } from './errors.ts';
import type { AxisSendMessage } from './outbox-message.ts';
import type { AxisClient, AxisClock, AxisDeliveries } from './ports.ts';

export interface SendToAxisDeps {
  readonly client: AxisClient;
  /** Where the built edXML packages are (`edxmlKey`). */
  readonly store: DocumentStore;
  /** The delivery records; named `status` in the issue. */
  readonly status: AxisDeliveries;
  readonly clock: AxisClock;
}

export type SendOutcome =
  | { readonly kind: 'sent'; readonly axisDocId: string }
  | { readonly kind: 'skipped'; readonly state: DeliveryState }
  | { readonly kind: 'refused'; readonly code: string; readonly reason: string };

/** The message names a delivery that does not exist: a producer bug, parked after retries. */
export class UnknownDeliveryError extends DomainError {
  constructor(documentId: string, recipient: string) {
    super(`no delivery of ${documentId} to ${recipient}`);
  }
}

/**
 * Send one document to one recipient over the axis.
 *
 * 1. Read the delivery: anything but PENDING was sent (or settled) before — skip, so a redelivered
 *    queue message never sends twice after the SENT write.
 * 2. Read the edXML package and hand it to the axis.
 * 3. Record SENT with the axis's id. A refusal (AxisRejectedError) is recorded as a failed
 *    delivery and returned, not thrown: it will not change on retry. AxisUnavailableError (and
 *    any other failure) propagates, so the queue retries the message.
 *
 * A crash between 2 and 3 sends the package again on redelivery; the axis offers no idempotency
 * key, and the `hash-file` of the repeat is identical, which lets the recipient spot it.
 */
export async function sendToAxis(
  deps: SendToAxisDeps,
  message: AxisSendMessage,
): Promise<SendOutcome> {
  const { documentId, recipient } = message;
  const delivery = await deps.status.get(documentId, recipient);
  if (delivery === undefined) throw new UnknownDeliveryError(documentId, recipient);
  if (delivery.channel !== 'national-axis' || delivery.state !== 'PENDING') {
    return { kind: 'skipped', state: delivery.state };
  }
  const body = await deps.store.get(message.edxmlKey);
  let axisDocId: string;
  try {
    ({ docId: axisDocId } = await deps.client.sendEdoc(body, recipient));
  } catch (error) {
    if (!(error instanceof AxisRejectedError)) throw error;
    const at = deps.clock.now().toISOString();
    const failure = { code: error.code, reason: error.message, at };
    if (!(await settle(() => deps.status.markFailed(documentId, recipient, failure)))) {
      return skippedNow(deps, documentId, recipient);
    }
    return { kind: 'refused', code: error.code, reason: error.message };
  }
  const at = deps.clock.now().toISOString();
  if (!(await settle(() => deps.status.markSent(documentId, recipient, { axisDocId, at })))) {
    return skippedNow(deps, documentId, recipient);
  }
  return { kind: 'sent', axisDocId };
}

/** Run a conditional write; false when another writer moved the delivery first. */
async function settle(write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof InvalidTransitionError) return false;
    throw error;
  }
}

async function skippedNow(
  deps: SendToAxisDeps,
  documentId: string,
  recipient: string,
): Promise<SendOutcome> {
  const now = await deps.status.get(documentId, recipient);
  return { kind: 'skipped', state: now?.state ?? 'PENDING' };
}
