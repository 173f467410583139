import type { z } from 'zod';
import type { DeliveryRecord, StatusRepository } from '../ports/status-repository.ts';
import { canAdvanceDelivery, InvalidTransitionError } from '../status/document-status.ts';
import { recallBodySchema, receiptBodySchema, type receiptResultSchema } from './api-schemas.ts';
import type { Caller } from './caller.ts';
import { loadDocument } from './document-queries.ts';
import {
  AccessDeniedError,
  DeliveryTransitionError,
  InvalidRequestError,
  NothingToRecallError,
} from './errors.ts';
import { fieldErrors } from './field-errors.ts';

export interface DeliveryDeps {
  readonly repository: Pick<StatusRepository, 'get' | 'deliveries' | 'advanceDelivery'>;
  readonly clock: { now(): Date };
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

/**
 * `POST /documents/{id}/receipts`: a recipient reports an edXML status code on its delivery.
 * 1. only a recipient reports (others who may see the document are refused, the rest get 404);
 * 2. the same code again answers with the delivery unchanged, so a retried POST is harmless;
 * 3. the step must be one the delivery model allows from the current state;
 * 4. it is applied by a write conditional on that state: a report racing another loses.
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
  const { deliveries, access } = await loadDocument(deps.repository, caller, id);
  const own = deliveries.find((d) => d.recipient === caller.agency);
  if (access !== 'recipient' || own === undefined) {
    throw new AccessDeniedError('only a recipient of the document reports its status');
  }
  if (own.state === code) return view(id, own);
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
