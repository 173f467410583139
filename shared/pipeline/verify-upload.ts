import { summarizeVerification } from '../documents/archive-manifest.ts';
import { documentAttributesSchema } from '../documents/document-record.ts';
import { DomainError } from '../errors.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import type { StatusRepository } from '../ports/status-repository.ts';
import { signerMatchesAgency } from '../routing/signer-binding.ts';
import { validatePdf } from '../signature/validate-pdf.ts';
import { inspectUpload } from './inspect-upload.ts';
import type { PipelineClock, ReferenceData, StepQueue, VerificationSettings } from './ports.ts';
import { type RejectionReason, reject, type StepOutcome } from './rejection.ts';

/**
 * An object in the incoming bucket that no upload request announced. It cannot be rejected (there
 * is no record to reject), so the message goes to the DLQ, whose alarm brings a person.
 */
export class UnknownUploadError extends DomainError {}

export interface VerifyUploadDeps {
  readonly repository: StatusRepository;
  /** The incoming uploads. */
  readonly documents: DocumentStore;
  readonly reference: ReferenceData;
  readonly settings: VerificationSettings;
  readonly next: StepQueue;
  readonly clock: PipelineClock;
}

const KEY_PATTERN = /^incoming\/([^/]+)\/([A-Za-z0-9-]{1,64})\.pdf$/;
const actor = 'verify';

/**
 * Step 1 of the pipeline, on an S3 ObjectCreated for `incoming/<agency>/<id>.pdf`:
 *
 * 1. Find the record the upload request created; it must be the uploader's and await the upload.
 * 2. Intake checks: size, `%PDF-` header, the declared SHA-256 → UPLOADED.
 * 3. Validate every signature under the configured trust and policy.
 * 4. Bind the leader's certificate to the issuing agency (organization names) → VERIFIED.
 * 5. Hand the document to the countersign step.
 *
 * A failure of 2–4 ends the document REJECTED with reasons. Redelivered events find the record
 * past AWAITING_UPLOAD and are skipped; a crash after UPLOADED resumes at step 3, one after
 * VERIFIED hands the document over again.
 */
export async function verifyUpload(
  deps: VerifyUploadDeps,
  objectKey: string,
): Promise<StepOutcome> {
  const match = KEY_PATTERN.exec(objectKey);
  const [, agency, id] = match ?? [];
  if (agency === undefined || id === undefined) {
    throw new UnknownUploadError(`${objectKey} is not an upload key (incoming/<agency>/<id>.pdf)`);
  }
  const record = await deps.repository.get(id);
  if (record === undefined || record.issuer !== agency) {
    throw new UnknownUploadError(`no upload was requested for ${objectKey}`);
  }
  if (record.status === 'VERIFIED') {
    // A crash between the transition and the hand-over: hand over again (the next step is idempotent).
    await deps.next.send({ documentId: id });
    return { kind: 'skipped', status: record.status };
  }
  if (record.status !== 'AWAITING_UPLOAD' && record.status !== 'UPLOADED') {
    return { kind: 'skipped', status: record.status };
  }
  const attributes = documentAttributesSchema.parse(record.attributes);
  const at = () => deps.clock.now().toISOString();
  const bytes = await deps.documents.get(objectKey);

  if (record.status === 'AWAITING_UPLOAD') {
    const inspection = inspectUpload(bytes, {
      maxBytes: Math.min(deps.settings.maxUploadBytes, attributes.declaredSize),
      sha256: attributes.declaredSha256,
    });
    if (inspection.problems.length > 0) {
      return reject(
        deps.repository,
        id,
        'AWAITING_UPLOAD',
        inspection.problems.map((p) => ({ code: p.code, message: p.message })),
        { at: at(), actor },
        { upload: { size: inspection.size, sha256: inspection.sha256 } },
      );
    }
    await deps.repository.transition(
      id,
      'AWAITING_UPLOAD',
      'UPLOADED',
      { at: at(), actor, status: 'UPLOADED' },
      { upload: { size: inspection.size, sha256: inspection.sha256 } },
    );
  }

  const report = validatePdf(bytes, { ...deps.settings.trust, validationTime: deps.clock.now() });
  const verification = summarizeVerification(report);
  if (report.indication !== 'TOTAL_PASSED') {
    const reasons: RejectionReason[] = [
      {
        code: `SIGNATURE_${report.indication}`,
        message: `${report.subIndication ?? report.indication}: ${[
          ...report.reasons,
          ...report.signatures.flatMap((s) => s.reasons.map((r) => `${s.fieldName}: ${r}`)),
        ].join('; ')}`,
      },
    ];
    return reject(deps.repository, id, 'UPLOADED', reasons, { at: at(), actor }, { verification });
  }

  const issuer = deps.reference.directory.find(record.issuer);
  const leaders = report.signatures.filter((s) => s.kind === 'signature');
  const bound =
    issuer !== undefined &&
    leaders.some((s) =>
      signerMatchesAgency(
        [s.signer?.organization, s.signer?.organizationalUnit].filter(
          (v): v is string => v !== undefined,
        ),
        issuer,
        deps.settings.signerBinding,
      ),
    );
  if (!bound) {
    return reject(
      deps.repository,
      id,
      'UPLOADED',
      [
        {
          code: 'SIGNER_NOT_OF_AGENCY',
          message: `no signature is by a certificate of ${issuer?.name ?? record.issuer}: signers ${leaders
            .map((s) => s.signer?.subject ?? 'unknown')
            .join('; ')}`,
        },
      ],
      { at: at(), actor },
      { verification },
    );
  }

  await deps.repository.transition(
    id,
    'UPLOADED',
    'VERIFIED',
    { at: at(), actor, status: 'VERIFIED' },
    { verification },
  );
  await deps.next.send({ documentId: id });
  return { kind: 'advanced', status: 'VERIFIED' };
}
