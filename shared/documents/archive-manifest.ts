import * as z from 'zod';
import type { DocumentTypeCatalogue } from '../routing/catalogue.ts';
import { CHANNELS } from '../routing/directory.ts';
import type { RecipientRoute } from '../routing/plan-routing.ts';
import type { ValidationReport } from '../signature/report.ts';
import { documentAttributesSchema } from './document-record.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const sha256Schema = z.string().regex(SHA256_HEX, 'lower-case hex SHA-256');

export type ArchiveExtension = 'pdf' | 'edxml';

/**
 * Content-addressed key in the archive bucket: `archive/<first two hex digits>/<sha256>.<ext>`.
 * The same bytes always land on the same key, so a retried archive step rewrites nothing new, a
 * file can be checked against its name, and the two-digit prefix spreads keys over 256 prefixes.
 * `pdf` holds the leader-signed original and the countersigned PDF, `edxml` the axis package.
 */
export function archiveObjectKey(sha256: string, extension: ArchiveExtension): string {
  const digest = sha256Schema.parse(sha256);
  return `archive/${digest.slice(0, 2)}/${digest}.${extension}`;
}

/**
 * Manifests are not content-addressed (they hold times) but keyed by document, listed by issuer
 * and year as the văn thư registers them: `manifests/<issuer>/<year>/<documentId>.json`.
 */
export function archiveManifestKey(issuer: string, year: number, documentId: string): string {
  return `manifests/${issuer}/${year}/${documentId}.json`;
}

const indicationSchema = z.enum(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE']);

/** What the archive keeps of the validation report: verdicts and who signed, not the evidence. */
export const verificationSummarySchema = z.strictObject({
  indication: indicationSchema,
  subIndication: z.string().optional(),
  validationTime: z.string().min(1),
  signatures: z.array(
    z.strictObject({
      fieldName: z.string(),
      kind: z.enum(['signature', 'document-timestamp']),
      indication: indicationSchema,
      subIndication: z.string().optional(),
      signer: z.string().optional(),
      organization: z.string().optional(),
      signingTime: z.string().optional(),
      signingTimeSource: z.enum(['timestamp', 'claimed', 'none']),
    }),
  ),
});
export type VerificationSummary = z.infer<typeof verificationSummarySchema>;

export function summarizeVerification(report: ValidationReport): VerificationSummary {
  return verificationSummarySchema.parse({
    indication: report.indication,
    subIndication: report.subIndication,
    validationTime: report.validationTime,
    signatures: report.signatures.map((s) => ({
      fieldName: s.fieldName,
      kind: s.kind,
      indication: s.indication,
      subIndication: s.subIndication,
      signer: s.signer?.commonName ?? s.signer?.subject,
      organization: s.signer?.organization,
      signingTime: s.signingTime,
      signingTimeSource: s.signingTimeSource,
    })),
  });
}

const archivedFileSchema = z.strictObject({ sha256: sha256Schema, key: z.string().min(1) });

export const archiveManifestSchema = z.strictObject({
  manifestVersion: z.literal(1),
  documentId: z.string().min(1),
  issuer: z.string().min(1),
  year: z.number().int(),
  number: z.string().min(1),
  notation: z.string().min(1),
  document: documentAttributesSchema.omit({ objectKey: true, declaredSha256: true }),
  verification: verificationSummarySchema,
  files: z.strictObject({
    original: archivedFileSchema,
    countersigned: archivedFileSchema,
    edxml: archivedFileSchema.optional(),
  }),
  recipients: z.array(
    z.strictObject({
      recipient: z.string(),
      channel: z.enum(CHANNELS).optional(),
      deliverable: z.boolean(),
      reason: z.string().optional(),
    }),
  ),
  timestamps: z.strictObject({
    createdAt: z.iso.datetime({ offset: true }),
    uploadedAt: z.iso.datetime({ offset: true }).optional(),
    verifiedAt: z.iso.datetime({ offset: true }),
    countersignedAt: z.iso.datetime({ offset: true }),
    routedAt: z.iso.datetime({ offset: true }).optional(),
    archivedAt: z.iso.datetime({ offset: true }),
  }),
  /** Object Lock retention of every file above: `until` is `archivedAt` plus `years`. */
  retention: z.strictObject({
    years: z.number().int().positive(),
    until: z.iso.datetime({ offset: true }),
    source: z.enum(['catalogue', 'default']),
  }),
});
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;

export interface ArchiveManifestInput {
  /** The status record: its `attributes` are parsed, not trusted. */
  readonly document: {
    readonly id: string;
    readonly issuer: string;
    readonly year: number;
    readonly number: string;
    readonly notation: string;
    readonly attributes: Readonly<Record<string, unknown>>;
  };
  readonly verification: VerificationSummary;
  readonly originalSha256: string;
  readonly countersignedSha256: string;
  readonly edxmlSha256?: string;
  readonly recipients: readonly RecipientRoute[];
  readonly timestamps: ArchiveManifest['timestamps'];
  readonly catalogue: DocumentTypeCatalogue;
  /** Retention when the type is no longer in the catalogue (deployment `archiveRetentionYears`). */
  readonly defaultRetentionYears: number;
}

function addYears(iso: string, years: number): string {
  const date = new Date(iso);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString();
}

/**
 * The archive record of one document: what it is, what was verified, which files hold it (by
 * content hash) and how long they are locked. Validated before it is returned, so a malformed
 * record or hash fails here rather than in the archive.
 */
export function buildArchiveManifest(input: ArchiveManifestInput): ArchiveManifest {
  const attributes = documentAttributesSchema.parse(input.document.attributes);
  const type = input.catalogue.find(attributes.typeCode);
  const years = type?.retentionYears ?? input.defaultRetentionYears;
  const file = (sha256: string, extension: ArchiveExtension) => ({
    sha256,
    key: archiveObjectKey(sha256, extension),
  });
  const { objectKey: _key, declaredSha256: _declared, ...document } = attributes;
  return archiveManifestSchema.parse({
    manifestVersion: 1,
    documentId: input.document.id,
    issuer: input.document.issuer,
    year: input.document.year,
    number: input.document.number,
    notation: input.document.notation,
    document,
    verification: input.verification,
    files: {
      original: file(input.originalSha256, 'pdf'),
      countersigned: file(input.countersignedSha256, 'pdf'),
      ...(input.edxmlSha256 === undefined ? {} : { edxml: file(input.edxmlSha256, 'edxml') }),
    },
    recipients: input.recipients.map((route) =>
      route.deliverable
        ? { recipient: route.recipient, channel: route.channel, deliverable: true }
        : {
            recipient: route.recipient,
            channel: route.channel,
            deliverable: false,
            reason: route.reason,
          },
    ),
    timestamps: input.timestamps,
    retention: {
      years,
      until: addYears(input.timestamps.archivedAt, years),
      source: type ? 'catalogue' : 'default',
    },
  });
}
