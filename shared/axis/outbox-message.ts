import { z } from 'zod';
import { agencyIdSchema } from '../routing/agency-id.ts';

/**
 * The body of one message on the axis outbox queue: send the package stored at `edxmlKey` to
 * `recipient` for document `documentId`. The route step enqueues one per national-axis delivery.
 */
export const axisOutboxMessageSchema = z.object({
  documentId: z.string().min(1).max(64),
  recipient: agencyIdSchema,
  edxmlKey: z.string().min(1).max(1024),
});
export type AxisOutboxMessage = z.output<typeof axisOutboxMessageSchema>;

/** Parse a queue message body; throws on anything else (the message is retried, then parked). */
export const parseAxisOutboxMessage = (body: string): AxisOutboxMessage =>
  axisOutboxMessageSchema.parse(JSON.parse(body));
