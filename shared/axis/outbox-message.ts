import * as z from 'zod';
import { EDXML_STATUS_CODES, type EdxmlStatusCode } from '../edxml/status-message.ts';
import { agencyIdSchema } from '../routing/agency-id.ts';

/**
 * Send the package stored at `edxmlKey` to `recipient` for document `documentId`. The route step
 * enqueues one per national-axis delivery (without `kind`, as it always has).
 */
export const axisSendMessageSchema = z.object({
  kind: z.literal('send').optional(),
  documentId: z.string().min(1).max(64),
  recipient: agencyIdSchema,
  edxmlKey: z.string().min(1).max(1024),
});
export type AxisSendMessage = z.output<typeof axisSendMessageSchema>;

const statusCodeSchema = z.custom<EdxmlStatusCode>(
  (v) => typeof v === 'string' && (EDXML_STATUS_CODES as readonly string[]).includes(v),
  `must be one of ${EDXML_STATUS_CODES.join(', ')}`,
);

/**
 * One of our agencies reported `code` on a document it received over the axis: tell the sender.
 * `at` is when the agency reported it, so the status carries that time however late the queue is.
 */
export const axisStatusReportSchema = z.object({
  kind: z.literal('status'),
  documentId: z.string().min(1).max(128),
  recipient: agencyIdSchema,
  code: statusCodeSchema,
  reason: z.string().max(2000).optional(),
  at: z.iso.datetime(),
});
export type AxisStatusReport = z.output<typeof axisStatusReportSchema>;

/** The body of one message on the axis outbox queue, drained by the axis sender. */
export const axisOutboxMessageSchema = z.union([axisStatusReportSchema, axisSendMessageSchema]);
export type AxisOutboxMessage = z.output<typeof axisOutboxMessageSchema>;

/** Parse a queue message body; throws on anything else (the message is retried, then parked). */
export const parseAxisOutboxMessage = (body: string): AxisOutboxMessage =>
  axisOutboxMessageSchema.parse(JSON.parse(body));
