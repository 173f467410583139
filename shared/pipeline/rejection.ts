import type { HistoryEntry, StatusRepository } from '../ports/status-repository.ts';
import type { DocumentStatus } from '../status/document-status.ts';

/** A machine-readable reason the sender sees in the document's status. */
export interface RejectionReason {
  /** Stable code, e.g. `CHECKSUM_MISMATCH`, `SIGNATURE_TOTAL_FAILED`, `SIGNER_NOT_OF_AGENCY`. */
  readonly code: string;
  readonly message: string;
}

/** What a pipeline step did with one document. */
export type StepOutcome =
  | { readonly kind: 'advanced'; readonly status: DocumentStatus }
  | { readonly kind: 'rejected'; readonly reasons: readonly RejectionReason[] }
  /** The step had already run for this document (a redelivered or duplicate message). */
  | { readonly kind: 'skipped'; readonly status: DocumentStatus };

/** Ends the document in REJECTED with its reasons, from whatever state the step found it in. */
export async function reject(
  repository: StatusRepository,
  id: string,
  from: DocumentStatus,
  reasons: readonly RejectionReason[],
  entry: Omit<HistoryEntry, 'status'>,
  changes: Readonly<Record<string, unknown>> = {},
): Promise<StepOutcome> {
  await repository.transition(
    id,
    from,
    'REJECTED',
    { ...entry, status: 'REJECTED', note: reasons.map((r) => r.code).join(', ') },
    { ...changes, rejection: { reasons } },
  );
  return { kind: 'rejected', reasons };
}
