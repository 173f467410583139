import type { PhasePolicy } from './policy.ts';
import type { ReportDocument, ReportWindow } from './report.ts';
import type { ReportKeys } from './tasks.ts';

/** The rollout policy record that routing reads, with where it came from. */
export interface PolicyRecord {
  readonly scheduleId: string;
  readonly phaseId: string;
  readonly policy: PhasePolicy;
  /** Planned start of the phase, UTC `Z`; orders policies so an older one never replaces a newer. */
  readonly effectiveFrom: string;
  /** Planned end, UTC `Z`; null for an open-ended phase. */
  readonly effectiveTo: string | null;
  readonly appliedAt: string;
}

/** Where the policy in force is kept (the status table in AWS). */
export interface RolloutPolicyStore {
  /**
   * Records the policy once in the history (a repeated call adds nothing) and makes it current
   * unless a policy with a later `effectiveFrom` is already current; returns false in that case.
   */
  applyPolicy(record: PolicyRecord): Promise<{ readonly applied: boolean }>;
}

/** Which documents a report reads: those of some issuers, or every document. */
export interface ReportQuery {
  readonly window: ReportWindow;
  readonly issuers: 'all' | readonly string[];
  /**
   * Types issued without paper in the phase. Used only for documents that do not record whether
   * a paper copy was required (routing has not run on them yet).
   */
  readonly electronicOnlyTypes: readonly string[];
}

export interface ReportDocuments {
  /** Documents created in the window (the source may return more; the report filters again). */
  readonly documents: readonly ReportDocument[];
  /** False when the source stopped at its read bound, so some documents are missing. */
  readonly complete: boolean;
}

/** The documents a phase report counts. */
export interface ReportSource {
  documentsCreated(query: ReportQuery): Promise<ReportDocuments>;
}

/** Where the rendered reports go (the reports bucket in AWS). */
export interface ReportArchive {
  put(key: string, body: Buffer, options: { contentType: string }): Promise<void>;
}

/** A pending approval the admin API answers with SendTaskSuccess or SendTaskFailure. */
export interface PendingApproval {
  readonly scheduleId: string;
  readonly phaseId: string;
  readonly title: string;
  readonly taskToken: string;
  /** 1 for the first report of the phase, 2 after the first extension, and so on. */
  readonly attempt: number;
  readonly reportKeys: ReportKeys;
  readonly window: { readonly from: string; readonly to: string; readonly deadline: string };
  readonly recipients: readonly string[];
  readonly requestedAt: string;
}

export interface ApprovalStore {
  /**
   * Stores the approval as PENDING under its phase. Repeating the call with the same task token
   * succeeds; throws ApprovalAlreadyPendingError when another token is pending for the phase.
   */
  recordPending(approval: PendingApproval): Promise<void>;
}

export interface RolloutClock {
  now(): Date;
}
