import { z } from 'zod';
import { agencyIdSchema } from '../routing/agency-id.ts';
import { DELIVERY_STATES, DOCUMENT_STATUSES } from '../status/document-status.ts';
import { verificationSummarySchema } from './archive-manifest.ts';

/**
 * Requests and responses of the status and administration API. Use cases parse requests with
 * these schemas and `GET /openapi.json` is generated from the same objects, so the published
 * contract cannot drift from what the handler accepts.
 */

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

/** A date (`2019-06-14`, the whole day) or an instant; bounds are inclusive. */
const boundSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const pageParams = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(2048).optional(),
};
const timeParams = { from: boundSchema.optional(), to: boundSchema.optional() };

/**
 * `GET /documents`: what the caller sent (`status` is a document status) or received (`status`
 * is the state of its delivery).
 */
export const listDocumentsQuerySchema = z.strictObject({
  direction: z.enum(['sent', 'received']).default('sent'),
  status: z.union([z.enum(DOCUMENT_STATUSES), z.enum(DELIVERY_STATES)]).optional(),
  ...timeParams,
  ...pageParams,
});

export const adminListDocumentsQuerySchema = z.strictObject({
  agency: agencyIdSchema,
  status: z.enum(DOCUMENT_STATUSES).optional(),
  ...timeParams,
  ...pageParams,
});

export const inboxQuerySchema = z.strictObject(pageParams);

/** The edXML status codes a recipient reports (QCVN 102); 15 and 16 answer a recall. */
export const RECEIPT_CODES = ['01', '02', '03', '04', '05', '06', '15', '16'] as const;

const reasonSchema = z.string().trim().min(1).max(1000);

export const receiptBodySchema = z.discriminatedUnion('code', [
  z.strictObject({ code: z.literal('02'), reason: reasonSchema }),
  z.strictObject({
    code: z.enum(RECEIPT_CODES.filter((c) => c !== '02')),
    reason: reasonSchema.optional(),
  }),
]);
export type ReceiptBody = z.infer<typeof receiptBodySchema>;

export const recallBodySchema = z.strictObject({ reason: reasonSchema.optional() });

export const approvalDecisionBodySchema = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  note: reasonSchema.optional(),
});

export const fieldErrorSchema = z.object({ field: z.string(), message: z.string() });

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(fieldErrorSchema),
  }),
});

export const documentSummarySchema = z.object({
  id: z.string(),
  issuer: z.string(),
  year: z.number().int(),
  number: z.string(),
  notation: z.string(),
  subject: z.string().optional(),
  typeCode: z.string().optional(),
  status: z.enum(DOCUMENT_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const receivedDeliverySchema = z.object({
  documentId: z.string(),
  recipient: z.string(),
  channel: z.enum(['province', 'national-axis']),
  state: z.enum(DELIVERY_STATES),
  deliveredAt: z.string(),
  updatedAt: z.string(),
  reason: z.string().optional(),
});

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });

export const documentPageSchema = pageOf(documentSummarySchema);
export const deliveryPageSchema = pageOf(receivedDeliverySchema);

export const deliveryViewSchema = z.object({
  recipient: z.string(),
  channel: z.enum(['province', 'national-axis']),
  state: z.enum(DELIVERY_STATES),
  updatedAt: z.string(),
  reason: z.string().optional(),
});

export const documentDetailSchema = documentSummarySchema.extend({
  urgency: z.string().optional(),
  promulgationDate: z.string().optional(),
  signer: z.object({ name: z.string(), position: z.string() }).optional(),
  recipients: z.array(z.string()),
  history: z.array(
    z.object({
      at: z.string(),
      status: z.enum(DOCUMENT_STATUSES),
      actor: z.string(),
      note: z.string().optional(),
    }),
  ),
  /** The issuer and administrators see every delivery, a recipient only its own. */
  deliveries: z.array(deliveryViewSchema),
  verification: verificationSummarySchema.nullable(),
  /** Null until routing has decided; then whether the issuer must also send paper, and to whom. */
  paperCopy: z.object({ required: z.boolean(), recipients: z.array(z.string()) }).nullable(),
  rejectionReasons: z.array(z.object({ code: z.string(), message: z.string() })),
  countersigned: z.boolean(),
});
export type DocumentDetail = z.infer<typeof documentDetailSchema>;

export const receiptResultSchema = z
  .object({ documentId: z.string() })
  .extend(deliveryViewSchema.shape);

export const recallResultSchema = z.object({
  documentId: z.string(),
  recalled: z.array(z.string()),
  unchanged: z.array(z.object({ recipient: z.string(), state: z.enum(DELIVERY_STATES) })),
});

export const pendingApprovalViewSchema = z.object({
  scheduleId: z.string(),
  phaseId: z.string(),
  title: z.string(),
  attempt: z.number().int(),
  reportKeys: z.object({ json: z.string(), csv: z.string(), html: z.string() }),
  window: z.object({ from: z.string(), to: z.string(), deadline: z.string() }),
  recipients: z.array(z.string()),
  requestedAt: z.string(),
});
export const approvalListSchema = z.object({ items: z.array(pendingApprovalViewSchema) });

export const approvalResultSchema = z.object({
  phaseId: z.string(),
  decision: z.enum(['approved', 'rejected']),
  decidedBy: z.string(),
  decidedAt: z.string(),
});

export const createdDocumentSchema = z.object({
  id: z.string(),
  upload: z.object({
    url: z.string(),
    fields: z.record(z.string(), z.string()),
    expiresAt: z.string(),
  }),
  warnings: z.array(fieldErrorSchema),
});
