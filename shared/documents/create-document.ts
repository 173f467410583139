import type { AuditLog } from '../ports/audit-log.ts';
import type { StatusRepository } from '../ports/status-repository.ts';
import type { UploadPresigner } from '../ports/upload-presigner.ts';
import type { DocumentTypeCatalogue } from '../routing/catalogue.ts';
import type { AgencyDirectory } from '../routing/directory.ts';
import type { RolloutPolicy } from '../routing/rollout-policy.ts';
import type { FieldError } from './field-errors.ts';
import { planUpload } from './plan-upload.ts';

/** Only PDFs are taken; the verify step checks the magic bytes again. */
export const UPLOAD_CONTENT_TYPE = 'application/pdf';
/** How long the upload form stays valid. */
export const UPLOAD_EXPIRES_SECONDS = 900;

export interface CreateDocumentDeps {
  readonly repository: Pick<StatusRepository, 'create'>;
  readonly audit: AuditLog;
  readonly presigner: UploadPresigner;
  readonly clock: { now(): Date };
  readonly newId: () => string;
  readonly directory: AgencyDirectory;
  readonly catalogue: DocumentTypeCatalogue;
  /** The deployment's upload limit. */
  readonly maxBytes: number;
  /**
   * The current rollout phase, read on every call because the rollout state machine changes it
   * while functions stay warm. Without it the issuer need only be enrolled in some phase.
   */
  readonly currentPolicy?: () => Promise<RolloutPolicy>;
}

export interface CreateDocumentInput {
  /** The calling agency's code, from its authenticated identity, never from the body. */
  readonly issuer: string;
  readonly body: unknown;
}

export interface UploadForm {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export type CreateDocumentResult =
  /** The record awaits its upload; the agency POSTs the PDF with `upload`. */
  | {
      readonly kind: 'created';
      readonly id: string;
      readonly upload: UploadForm;
      /** Recipients the current phase cannot reach electronically: they need the paper copy. */
      readonly warnings: readonly FieldError[];
    }
  /** The body is malformed or contradicts directory, catalogue or phase; nothing is stored. */
  | { readonly kind: 'invalid'; readonly details: readonly FieldError[] }
  /** The caller may not issue documents here (unknown, not enrolled, no organization key). */
  | { readonly kind: 'forbidden'; readonly message: string }
  /** The issuer already used this number and notation this year. */
  | { readonly kind: 'duplicate'; readonly existingId: string }
  /** A secret document: refused, and only the audit record `auditId` is stored. */
  | { readonly kind: 'refused-secret'; readonly auditId: string };

/**
 * POST /documents:
 * 1. an issuer missing from the directory is forbidden before anything is read or stored;
 * 2. the body is planned (`planUpload`): a secret marking is refused and audited, nothing else
 *    kept; an issuer the directory or phase does not let issue is forbidden; other problems are
 *    returned field by field;
 * 3. the upload form is signed before the record is written, so a record is never left without
 *    one (signing has no side effect to undo when the number turns out to be taken);
 * 4. the record is created, claiming the number; a taken number returns the existing id.
 */
export async function createDocument(
  deps: CreateDocumentDeps,
  input: CreateDocumentInput,
): Promise<CreateDocumentResult> {
  const agency = deps.directory.find(input.issuer);
  if (!agency) {
    return { kind: 'forbidden', message: `${input.issuer} is not in the agency directory` };
  }

  const now = deps.clock.now();
  const plan = planUpload(input.body, {
    issuer: agency.code,
    directory: deps.directory,
    catalogue: deps.catalogue,
    now,
    maxBytes: deps.maxBytes,
    newId: deps.newId,
    ...(deps.currentPolicy ? { policy: await deps.currentPolicy() } : {}),
  });

  if (plan.kind === 'refused-secret') {
    await deps.audit.recordSecretRefusal(plan.audit);
    return { kind: 'refused-secret', auditId: plan.audit.id };
  }
  if (plan.kind === 'invalid') {
    const issuer = namesIssuer(input.body)
      ? undefined
      : plan.details.find((detail) => detail.field === 'issuer');
    if (issuer) return { kind: 'forbidden', message: issuer.message };
    return { kind: 'invalid', details: plan.details };
  }

  const { attributes } = plan.record;
  const form = await deps.presigner.presignPost({
    key: plan.objectKey,
    contentType: UPLOAD_CONTENT_TYPE,
    // The declared size is the tightest bound; the checksum pins the exact bytes anyway.
    maxBytes: attributes.declaredSize,
    sha256Hex: attributes.declaredSha256,
    expiresSeconds: UPLOAD_EXPIRES_SECONDS,
  });

  const created = await deps.repository.create(plan.record, plan.entry);
  if (!created.created) return { kind: 'duplicate', existingId: created.existingId };

  return {
    kind: 'created',
    id: plan.record.id,
    upload: {
      url: form.url,
      fields: form.fields,
      expiresAt: new Date(now.getTime() + UPLOAD_EXPIRES_SECONDS * 1000).toISOString(),
    },
    warnings: plan.warnings,
  };
}

/**
 * A body that names an issuer fails the strict schema with an `issuer` field error of its own;
 * otherwise an `issuer` problem is about the caller's identity, which only `planUpload` checks
 * against the directory and the phase.
 */
const namesIssuer = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && Object.hasOwn(body, 'issuer');
