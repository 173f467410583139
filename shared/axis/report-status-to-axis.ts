import * as z from 'zod';
import { formatEdxmlTimestamp, responseForSchema } from '../edxml/fields.ts';
import { buildStatusMessage, EDXML_STATUS_MEANINGS } from '../edxml/status-message.ts';
import type { StatusRepository } from '../ports/status-repository.ts';
import { AxisRejectedError } from './errors.ts';
import type { AxisStatusReport } from './outbox-message.ts';
import { statusDescription } from './poll-axis.ts';
import type { AxisClient } from './ports.ts';
import { UnknownDeliveryError } from './send-to-axis.ts';

/**
 * Where the receipts use case hands a status for the axis. Implemented by the axis outbox queue
 * (the message is an AxisStatusReport), drained by the axis sender with reportStatusToAxis.
 */
export interface AxisStatusOutbox {
  send(report: AxisStatusReport): Promise<void>;
}

export interface ReportStatusToAxisDeps {
  readonly client: Pick<AxisClient, 'updateStatus'>;
  readonly repository: Pick<StatusRepository, 'get'>;
}

export type ReportStatusOutcome =
  | { readonly kind: 'reported' }
  /** The document did not come over the axis, or not to this agency: nobody there to tell. */
  | { readonly kind: 'not-from-axis' }
  /** The axis refused the status for good; retrying would not change that. */
  | { readonly kind: 'refused'; readonly code: string; readonly reason: string };

/** What the poller recorded (results.axis) about a document it received. */
const receivedSchema = z.object({
  responseFor: responseForSchema,
  edoc: z.object({
    recipients: z.array(z.object({ organId: z.string(), organName: z.string() })),
  }),
});

/**
 * Tell the sender on the axis what one of our agencies reported on a document it received from
 * there (03 accepted, 05 in progress, 06 done, 02 refused, 15/16 on a recall).
 *
 * 1. Read the document; one without the poller's `results.axis`, or not addressed to this agency,
 *    is not the axis's business → `not-from-axis`.
 * 2. Build the edXML:Status answering the sender's document, from the reporting agency, stamped
 *    with the time it reported, and hand it to the axis.
 *
 * AxisRejectedError is returned as `refused`; AxisUnavailableError propagates so the queue retries.
 * A redelivered message sends the same status again, which the sender sees as a repeat.
 */
export async function reportStatusToAxis(
  deps: ReportStatusToAxisDeps,
  report: AxisStatusReport,
): Promise<ReportStatusOutcome> {
  const record = await deps.repository.get(report.documentId);
  if (record === undefined) throw new UnknownDeliveryError(report.documentId, report.recipient);
  const received = receivedSchema.safeParse(record.results['axis']);
  const recipient = received.success
    ? received.data.edoc.recipients.find((r) => r.organId === report.recipient)
    : undefined;
  if (!received.success || recipient === undefined) return { kind: 'not-from-axis' };
  const xml = buildStatusMessage({
    ResponseFor: received.data.responseFor,
    From: { OrganId: recipient.organId, OrganName: recipient.organName },
    StatusCode: report.code,
    Description: statusDescription(report.reason ?? EDXML_STATUS_MEANINGS[report.code]),
    Timestamp: formatEdxmlTimestamp(new Date(report.at)),
  });
  try {
    await deps.client.updateStatus(xml);
  } catch (error) {
    if (!(error instanceof AxisRejectedError)) throw error;
    return { kind: 'refused', code: error.code, reason: error.message };
  }
  return { kind: 'reported' };
}
