import type { PendingApproval } from '../rollout/rollout-ports.ts';
import type { ApprovalDecision } from '../rollout/tasks.ts';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface ApprovalItem extends PendingApproval {
  readonly status: ApprovalStatus;
}

/**
 * The approval items the rollout state machine leaves for administrators (one per phase).
 * Deciding is a conditional write on the PENDING item holding that token, so two administrators
 * answering at once cannot both resume the execution.
 */
export interface ApprovalDesk {
  pending(): Promise<ApprovalItem[]>;
  get(phaseId: string): Promise<ApprovalItem | undefined>;
  /** PENDING → decided; returns false when the item is no longer PENDING with `taskToken`. */
  markDecided(
    phaseId: string,
    taskToken: string,
    decision: ApprovalDecision,
    at: string,
  ): Promise<boolean>;
  /** Undoes `markDecided` when the decision could not be delivered (the token still waits). */
  reopen(phaseId: string, taskToken: string): Promise<void>;
}
