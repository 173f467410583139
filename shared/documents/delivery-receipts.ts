import type { z } from 'zod';
import type { AxisStatusReport } from '../axis/outbox-message.ts';
import type { AxisStatusOutbox } from '../axis/report-status-to-axis.ts';
import type {
  DeliveryRecord,
  DocumentRecord,
  StatusRepository,
} from '../ports/status-repository.ts';
import { canAdvanceDelivery, InvalidTransitionError } from '../status/document-status.ts';
import { recallBodySchema, receiptBodySchema, type receiptResultSchema } from './api-schemas.ts';
import type { Caller } from './caller.ts';
import { loadDocument } from './document-queries.ts';
import {
  AccessDeniedError,
  AxisRelayError,
  DeliveryTransitionError,
  InvalidRequestError,
  NothingToRecallError,
} from './errors.ts';
import { fieldErrors } from './field-errors.ts';

export interface DeliveryDeps {
  readonly repository: Pick<StatusRepository, 'get' | 'deliveries' | 'advanceDelivery'>;
  readonly clock: { now(): Date };
  /** Where statuses on documents received over the national axis go. @default none: no axis */
  readonly axisOutbox?: AxisStatusOutbox;
}

type ReceiptResult = z.infer<typeof receiptResultSchema>;

const view = (documentId: string, d: DeliveryRecord): ReceiptResult => ({
  documentId,
  recipient: d.recipient,
  channel: d.channel,
  state: d.state,
  updatedAt: d.updatedAt,
  ...(d.reason === undefined ? {} : { reason: d.reason }),
});

/** The poller records `results.axis` on every document it imports; nothing else writes it. */
const receivedOverAxis = (record: DocumentRecord): boolean => record.results['axis'] !== undefined;

/**
 * Hands the delivery's status to the axis outbox when the document came over the axis. A failed
 * hand-over is AxisRelayError: the status is recorded, and the recipient's retry of the same
 * report (step 2 of reportReceipt) hands it over again.
 */
async function relayToAxis(
  deps: DeliveryDeps,
  record: DocumentRecord,
  status: Omit<AxisStatusReport, 'kind' | 'documentId'>,
): Promise<void> {
  if (deps.axisOutbox === undefined || !receivedOverAxis(record)) return;
  try {
    await deps.axisOutbox.send({ kind: 'status', documentId: record.id, ...status });
  } catch (error) {
    throw new AxisRelayError(record.id, { cause: error });
  }
}

/**
 * `POST /documents/{id}/receipts`: a recipient reports an edXML status code on its delivery.
 * 1. only a recipient reports (others who may see the document are refused, the rest get 404);
 * 2. the same code again answers with the delivery unchanged, so a retried POST is harmless; on
 *    a document received over the axis it is handed to the axis outbox again, which is how a
 *    report whose hand-over failed (503) reaches the sender once the recipient retries;
 * 3. the step must be one the delivery model allows from the current state;
 * 4. it is applied by a write conditional on that state: a report racing another loses;
 * 5. on a document received over the axis, the status goes to the axis outbox, stamped with the
 *    time of the write, for the axis sender to tell the issuing organization.
 */
export async function reportReceipt(
  deps: DeliveryDeps,
  caller: Caller,
  id: string,
  body: unknown,
): Promise<ReceiptResult> {
  const parsed = receiptBodySchema.safeParse(body);
  if (!parsed.success) throw new InvalidRequestError(fieldErrors(parsed.error));
  const { code, reason } = parsed.data;
  const { record, deliveries, access } = await loadDocument(deps.repository, caller, id);
  const own = deliveries.find((d) => d.recipient === caller.agency);
  if (access !== 'recipient' || own === undefined) {
    throw new AccessDeniedError('only a recipient of the document reports its status');
  }
  if (own.state === code) {
    await relayToAxis(deps, record, {
      recipient: own.recipient,
      code,
      at: own.updatedAt,
      ...(own.reason === undefined ? {} : { reason: own.reason }),
    });
    return view(id, own);
  }
  if (!canAdvanceDelivery(own.state, code)) throw new DeliveryTransitionError(own.state, code);
  const at = deps.clock.now().toISOString();
  try {
    await deps.repository.advanceDelivery(id, caller.agency, own.state, code, at, reason);
  } catch (error) {
    if (error instanceof InvalidTransitionError) {
      throw new DeliveryTransitionError(own.state, code, { cause: error });
    }
    throw error;
  }
  await relayToAxis(deps, record, {
    recipient: own.recipient,
    code,
    at,
    ...(reason ? { reason } : {}),
  });
  return view(id, { ...own, state: code, updatedAt: at, ...(reason ? { reason } : {}) });
}

/**
 * `POST /documents/{id}/recall`: the issuer asks for the document back. Every delivery whose
 * state allows it moves to 13; its recipient then answers 15 (agreed) or 16 (refused) through
 * receipts. Deliveries that cannot be recalled (refused, undeliverable, not yet received, already
 * recalled) are listed unchanged; when none can, nothing is written and the recall is refused.
 */
export async function recallDocument(
  deps: DeliveryDeps,
  caller: Caller,
  id: string,
  body: unknown,
): Promise<{
  readonly documentId: string;
  readonly recalled: string[];
  readonly unchanged: { recipient: string; state: DeliveryRecord['state'] }[];
}> {
  const parsed = recallBodySchema.safeParse(body ?? {});
  if (!parsed.success) throw new InvalidRequestError(fieldErrors(parsed.error));
  const { deliveries, access } = await loadDocument(deps.repository, caller, id);
  if (access !== 'issuer') throw new AccessDeniedError('only the issuer recalls a document');
  const at = deps.clock.now().toISOString();
  const recalled: string[] = [];
  const unchanged: { recipient: string; state: DeliveryRecord['state'] }[] = [];
  for (const delivery of deliveries) {
    if (!canAdvanceDelivery(delivery.state, '13')) {
      unchanged.push({ recipient: delivery.recipient, state: delivery.state });
      continue;
    }
    try {
      await deps.repository.advanceDelivery(
        id,
        delivery.recipient,
        delivery.state,
        '13',
        at,
        parsed.data.reason,
      );
      recalled.push(delivery.recipient);
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      unchanged.push({ recipient: delivery.recipient, state: delivery.state });
    }
  }
  if (recalled.length === 0) throw new NothingToRecallError(id);
  return { documentId: id, recalled, unchanged };
}
