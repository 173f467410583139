import { EdxmlFormatError } from '../edxml/errors.ts';
import { type EdxmlStatus, parseStatusMessage } from '../edxml/status-message.ts';
import type { AxisDocumentRecords, StatusRepository } from '../ports/status-repository.ts';
import { canAdvanceDeliveryOverAxis, InvalidTransitionError } from '../status/document-status.ts';
import type { StatusOutcome } from './ports.ts';

/** Codes whose Description says why (a refusal): kept as the delivery's reason. */
const REASONED: ReadonlySet<string> = new Set(['02', '16']);

export interface ApplyAxisStatusDeps {
  readonly repository: Pick<StatusRepository, 'get' | 'deliveries' | 'advanceDelivery'> &
    Pick<AxisDocumentRecords, 'findByNumber'>;
}

/**
 * A recipient on the axis answered about a document we sent (edXML:Status): move its delivery.
 *
 * 1. Find the document by its issuer, year, number and notation (ResponseFor), checked against
 *    the record; a document the hub never issued is reported `unknown-document`, not thrown.
 * 2. Find the delivery of the answering agency (From/OrganId).
 * 3. The same code again is a `duplicate`; a step the axis delivery model forbids
 *    (canAdvanceDeliveryOverAxis: a peer may skip codes it does not send, never go back) is
 *    `not-allowed` and changes nothing; otherwise advanceDelivery, conditional on the state just
 *    read (a refusal's Description becomes its reason). A write that loses a race is re-read once
 *    and judged again.
 */
export async function applyAxisStatus(
  deps: ApplyAxisStatusDeps,
  bytes: Buffer,
  at: string,
): Promise<StatusOutcome> {
  let status: EdxmlStatus;
  try {
    status = parseStatusMessage(bytes);
  } catch (error) {
    if (!(error instanceof EdxmlFormatError)) throw error;
    return { kind: 'malformed', reason: error.message };
  }
  const { ResponseFor: responseFor, StatusCode: code } = status;
  const slash = responseFor.Code.indexOf('/');
  const number = responseFor.Code.slice(0, slash);
  const notation = responseFor.Code.slice(slash + 1);
  const year = Number(responseFor.PromulgationDate.slice(0, 4));
  const documentId =
    slash > 0
      ? await deps.repository.findByNumber(responseFor.OrganId, year, number, notation)
      : undefined;
  const record = documentId === undefined ? undefined : await deps.repository.get(documentId);
  if (
    documentId === undefined ||
    record === undefined ||
    record.issuer !== responseFor.OrganId ||
    record.number !== number ||
    record.notation !== notation
  ) {
    return { kind: 'unknown-document', responseFor };
  }
  const recipient = status.From.OrganId;
  for (let attempt = 0; ; attempt += 1) {
    const delivery = (await deps.repository.deliveries(documentId)).find(
      (d) => d.recipient === recipient,
    );
    if (delivery === undefined) return { kind: 'unknown-recipient', documentId, recipient };
    const judged = { documentId, recipient, from: delivery.state, code };
    if (delivery.state === code) return { kind: 'duplicate', ...judged };
    if (!canAdvanceDeliveryOverAxis(delivery.state, code)) {
      return { kind: 'not-allowed', ...judged };
    }
    try {
      await deps.repository.advanceDelivery(
        documentId,
        recipient,
        delivery.state,
        code,
        at,
        REASONED.has(code) ? status.Description : undefined,
      );
      return { kind: 'applied', ...judged };
    } catch (error) {
      if (!(error instanceof InvalidTransitionError) || attempt > 0) throw error;
    }
  }
}
