import * as z from 'zod';
import { agencyIdSchema } from '../routing/agency-id.ts';
import { documentTypeCodeSchema, documentTypeSchema } from '../routing/catalogue.ts';
import {
  agencySchema,
  CHANNELS,
  certificateChainReferenceSchema,
  keyReferenceSchema,
} from '../routing/directory.ts';
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
  channel: z.enum(CHANNELS),
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
  channel: z.enum(CHANNELS),
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

/** `GET /health`: the function answers; nothing behind it is checked. */
export const healthSchema = z.object({ status: z.literal('ok') });

const kebabSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case')
  .max(128);

/** A rollout policy as routing reads it (`'catalogue'` defers to the catalogue's forms). */
const policyViewSchema = z.object({
  phaseId: z.string(),
  channelsOpen: z.array(z.string()),
  enrolledAgencies: z.union([z.literal('all'), z.array(z.string())]),
  electronicOnlyTypes: z.union([z.literal('catalogue'), z.array(z.string())]),
});

/** The policy a rollout phase put in force, as the rollout's apply-policy task records it. */
export const appliedRolloutSchema = z.object({
  scheduleId: z.string(),
  phaseId: z.string(),
  policy: policyViewSchema,
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  appliedAt: z.string(),
});

/** `GET /admin/rollout`: the policy routing applies now, and whether a phase put it in force. */
export const rolloutViewSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('schedule'), ...appliedRolloutSchema.shape }),
  z.object({
    /** No phase applied yet: official use, every channel open to every agency. */
    source: z.literal('default'),
    phaseId: z.string(),
    policy: policyViewSchema,
  }),
]);
export type RolloutView = z.infer<typeof rolloutViewSchema>;

export const MAX_REPORT_PAGE_SIZE = 200;

/** `GET /admin/reports`: the phase reports the rollout wrote, optionally of one schedule. */
export const reportListQuerySchema = z.strictObject({
  scheduleId: kebabSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_REPORT_PAGE_SIZE).default(100),
  cursor: z.string().min(1).max(2048).optional(),
});

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;

/** `report.json`, or `report-extension-<n>.csv` after n extensions (see reportKeys). */
export const reportFileSchema = z
  .string()
  .regex(/^report(?:-extension-[1-9][0-9]{0,3})?\.(?:json|csv|html)$/, 'is not a report file');

/** The path parameters of `GET /admin/reports/{scheduleId}/{phaseId}/{file}`. */
export const reportPathSchema = z.strictObject({
  scheduleId: kebabSchema,
  phaseId: kebabSchema,
  file: reportFileSchema,
});

export const reportEntrySchema = z.object({
  key: z.string(),
  scheduleId: z.string(),
  phaseId: z.string(),
  file: z.string(),
  format: z.enum(REPORT_FORMATS),
  size: z.number().int(),
  lastModified: z.string(),
  /** The API path that redirects to the object. */
  href: z.string(),
});
export const reportListSchema = pageOf(reportEntrySchema);

export const STATS_GROUPS = ['agency', 'channel', 'status'] as const;
/** Longest window `GET /admin/stats` reads, in days. */
export const MAX_STATS_DAYS = 366;

/**
 * `GET /admin/stats`: bounds are UTC dates (whole days) or instants, inclusive, as in the lists;
 * `issuer` narrows the figures to one issuing agency.
 */
export const statsQuerySchema = z.strictObject({
  from: boundSchema,
  to: boundSchema,
  groupBy: z.enum(STATS_GROUPS).default('status'),
  issuer: agencyIdSchema.optional(),
});

const statusGroupSchema = z.object({ status: z.enum(DOCUMENT_STATUSES), documents: z.number() });
const agencyGroupSchema = z.object({
  agency: z.string(),
  name: z.string(),
  sent: z.number(),
  received: z.number(),
  refused: z.number(),
});
const channelGroupSchema = z.object({
  channel: z.string(),
  documents: z.number(),
  deliveries: z.number(),
  delivered: z.number(),
  refused: z.number(),
  pending: z.number(),
});

export const statsSchema = z.object({
  window: z.object({ from: z.string(), to: z.string() }),
  timezone: z.string(),
  generatedAt: z.string(),
  /** False when the read stopped at its bound: the figures undercount. */
  complete: z.boolean(),
  documents: z.object({
    total: z.number(),
    electronicOnly: z.number(),
    paperAlso: z.number(),
    verified: z.number(),
    rejected: z.number(),
  }),
  /** Rejected documents by reason code, most frequent first; one rejected for two counts twice. */
  rejectionsByReason: z.array(z.object({ reason: z.string(), count: z.number() })),
  deliveries: z.object({
    total: z.number(),
    delivered: z.number(),
    refused: z.number(),
    pending: z.number(),
  }),
  /** Upload to arrival per delivered recipient; null percentiles without samples. */
  latency: z.object({
    method: z.literal('nearest-rank'),
    samples: z.number(),
    medianMs: z.number().nullable(),
    p95Ms: z.number().nullable(),
  }),
  groupBy: z.enum(STATS_GROUPS),
  groups: z.union([
    z.array(statusGroupSchema),
    z.array(agencyGroupSchema),
    z.array(channelGroupSchema),
  ]),
});
export type Stats = z.infer<typeof statsSchema>;

/**
 * `GET /agencies`: the directory; focal points, signer organization names, key references and
 * the edit version for administrators only.
 */
export const agencyViewSchema = z.object({
  code: z.string(),
  codeStatus: z.enum(['official', 'illustrative']),
  name: z.string(),
  kind: z.string(),
  channel: z.enum(CHANNELS),
  enrolment: z.array(z.string()),
  /** Issues documents through edoc-hub (has an organization signature). */
  issues: z.boolean(),
  focalPoint: z.object({ name: z.string(), email: z.string(), phone: z.string() }).optional(),
  signerOrganizations: z.array(z.string()).optional(),
  organizationSigning: z
    .object({ key: keyReferenceSchema, certificateChain: certificateChainReferenceSchema })
    .optional(),
  /** Version to send back with `PUT`/`DELETE /admin/agencies/{code}`; 0 until first edited. */
  version: z.number().int().optional(),
});
export const agencyListSchema = z.object({ items: z.array(agencyViewSchema) });

export const documentTypeViewSchema = z.object({
  code: z.string(),
  name: z.string(),
  abbreviation: z.string().nullable(),
  issuanceForm: z.enum(['electronic-only', 'electronic-and-paper']),
  retentionYears: z.number().int(),
  /** For administrators: version to send back with `PUT`/`DELETE`; 0 until first edited. */
  version: z.number().int().optional(),
});
export const documentTypeListSchema = z.object({ items: z.array(documentTypeViewSchema) });

/** The version the editor last read; a stale one answers 409 and nothing is written. */
const editVersionSchema = z.number().int().min(0);

/**
 * Key material is not set through the API: a `file` key or chain would name a path on the
 * function's disk, so only key references (KMS, PKCS#11) and chains stored as objects are taken.
 */
const apiOrganizationSigningSchema = z
  .strictObject({ key: keyReferenceSchema, certificateChain: certificateChainReferenceSchema })
  .superRefine((signing, ctx) => {
    for (const part of ['key', 'certificateChain'] as const) {
      if (signing[part].kind === 'file') {
        ctx.addIssue({
          code: 'custom',
          path: [part, 'kind'],
          message:
            'file references are not accepted through the API; use kms or pkcs11 keys and object chains',
        });
      }
    }
  })
  .describe(
    'Organization signature: a KMS or PKCS#11 key reference and a certificate chain stored as an ' +
      'object. References of kind `file` (paths on disk) are refused through the API.',
  );

/** `POST /admin/agencies`: a directory entry with a code not in the directory yet. */
export const agencyCreateBodySchema = agencySchema.extend({
  organizationSigning: apiOrganizationSigningSchema.optional(),
});

/**
 * `PUT /admin/agencies/{code}`: the whole entry. `code` may be left out (the path names it);
 * `organizationSigning` left out keeps the current one and null removes it.
 */
export const agencyUpdateBodySchema = agencySchema.extend({
  code: agencySchema.shape.code.optional(),
  organizationSigning: apiOrganizationSigningSchema.nullable().optional(),
  version: editVersionSchema.optional(),
});

/** `POST /admin/document-types`: a catalogue entry with a code not in the catalogue yet. */
export const documentTypeCreateBodySchema = documentTypeSchema;

/** `PUT /admin/document-types/{code}`: the whole entry; `code` may be left out. */
export const documentTypeUpdateBodySchema = documentTypeSchema.extend({
  code: documentTypeCodeSchema.optional(),
  version: editVersionSchema.optional(),
});

/** `DELETE /admin/agencies/{code}` and `/admin/document-types/{code}`. */
export const referenceDeleteQuerySchema = z.strictObject({
  version: z.coerce.number().int().min(0).optional(),
});

export const savedAgencySchema = agencyViewSchema.extend({ version: z.number().int() });
export const savedDocumentTypeSchema = documentTypeViewSchema.extend({
  version: z.number().int(),
});
export const deletedReferenceSchema = z.object({
  code: z.string(),
  deleted: z.literal(true),
  version: z.number().int(),
});

/** Largest PEM chain accepted by `PUT /admin/agencies/{code}/certificate`. */
export const MAX_CHAIN_PEM_CHARS = 64 * 1024;

/** `PUT /admin/agencies/{code}/certificate`: the chain the CA issued, leaf first, as PEM. */
export const installCertificateBodySchema = z.strictObject({
  chain: z.string().min(1).max(MAX_CHAIN_PEM_CHARS),
});

/** `POST /admin/agencies/{code}/key`: the key waiting for its certificate and the request for it. */
export const agencyKeyRequestSchema = z.object({
  agency: z.string(),
  status: z.literal('pending'),
  keyId: z.string(),
  algorithm: z.string(),
  requestedAt: z.string(),
  /** PKCS#10, PEM: subject O = the agency's name, C = VN, signed by the key. */
  csr: z.string(),
  /** SubjectPublicKeyInfo, PEM. */
  publicKey: z.string(),
});

/** `PUT /admin/agencies/{code}/certificate`: the key now in service and its certificate. */
export const installedCertificateSchema = z.object({
  agency: z.string(),
  status: z.literal('installed'),
  keyId: z.string(),
  installedAt: z.string(),
  organizationSigning: z.object({
    key: z.object({ kind: z.literal('kms'), keyId: z.string() }),
    certificateChain: z.object({ kind: z.literal('object'), key: z.string() }),
  }),
  certificate: z.object({
    subject: z.string(),
    issuer: z.string(),
    serialNumber: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
  }),
});
