import { createHash } from 'node:crypto';
import { documentAttributesSchema } from '../documents/document-record.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import type { StatusRepository } from '../ports/status-repository.ts';
import { CountersignError, countersignPdf } from '../signature/countersign.ts';
import type { OrganizationSigners, PipelineClock, StepQueue } from './ports.ts';
import { reject, type StepOutcome } from './rejection.ts';

export interface CountersignDocumentDeps {
  readonly repository: StatusRepository;
  /** Uploads (`incoming/…`) in, countersigned PDFs (`countersigned/…`) out. */
  readonly documents: DocumentStore;
  readonly signers: OrganizationSigners;
  readonly next: StepQueue;
  readonly clock: PipelineClock;
  /** /Reason and /Location of the organization signature. */
  readonly reason: string;
  readonly location: string;
}

/**
 * Where one countersigning attempt's PDF is kept until it is archived and delivered: per attempt
 * (named by its hash), so two racing deliveries of the same message never overwrite each other's
 * file; the one whose VERIFIED → COUNTERSIGNED write wins is the one the record names.
 */
export const countersignedKey = (issuer: string, id: string, sha256: string): string =>
  `countersigned/${issuer}/${id}/${sha256}.pdf`;

const actor = 'countersign';

/**
 * Step 2: the organization signature (Decree 30/2020: the clerk seals what the competent person
 * signed) with the issuing agency's own key, only on a VERIFIED document.
 *
 * Each attempt's output goes to its own content-addressed key and the conditional VERIFIED →
 * COUNTERSIGNED transition lets only one attempt stand (the record names its key): a document
 * never carries two organization signatures, and a losing attempt's file is only an orphan that
 * the bucket's lifecycle expires. A key store that is unavailable
 * (throttling, HSM down) throws and the message is retried; a document that cannot take a
 * signature, or an agency without a key, ends REJECTED.
 */
export async function countersignDocument(
  deps: CountersignDocumentDeps,
  id: string,
): Promise<StepOutcome> {
  const record = await deps.repository.get(id);
  if (record === undefined) throw new Error(`document ${id} does not exist`);
  if (record.status === 'COUNTERSIGNED') {
    await deps.next.send({ documentId: id });
    return { kind: 'skipped', status: record.status };
  }
  if (record.status !== 'VERIFIED') return { kind: 'skipped', status: record.status };
  const attributes = documentAttributesSchema.parse(record.attributes);
  const at = () => deps.clock.now().toISOString();

  const signing = await deps.signers.forAgency(record.issuer);
  if (signing === undefined) {
    return reject(
      deps.repository,
      id,
      'VERIFIED',
      [
        {
          code: 'NO_ORGANIZATION_KEY',
          message: `${record.issuer} has no organization key configured for countersigning`,
        },
      ],
      { at: at(), actor },
    );
  }
  const original = await deps.documents.get(attributes.objectKey);
  let pdf: Buffer;
  try {
    ({ pdf } = await countersignPdf(original, {
      signer: signing.signer,
      certificateChain: signing.certificateChain,
      reason: deps.reason,
      location: deps.location,
      signingTime: deps.clock.now(),
    }));
  } catch (error) {
    if (!(error instanceof CountersignError)) throw error;
    return reject(
      deps.repository,
      id,
      'VERIFIED',
      [
        {
          code: `COUNTERSIGN_${error.code.toUpperCase().replaceAll('-', '_')}`,
          message: error.message,
        },
      ],
      { at: at(), actor },
    );
  }
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const key = countersignedKey(record.issuer, id, sha256);
  await deps.documents.put(key, pdf, { contentType: 'application/pdf' });
  await deps.repository.transition(
    id,
    'VERIFIED',
    'COUNTERSIGNED',
    { at: at(), actor, status: 'COUNTERSIGNED' },
    {
      countersigned: { key, sha256, size: pdf.length },
    },
  );
  await deps.next.send({ documentId: id });
  return { kind: 'advanced', status: 'COUNTERSIGNED' };
}
