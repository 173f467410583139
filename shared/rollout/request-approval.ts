import { DomainError } from '../errors.ts';
import type { ApprovalStore, PendingApproval, RolloutClock } from './rollout-ports.ts';
import type { ApprovalRequestTask } from './tasks.ts';

/** Another task token already waits for a decision on this phase (a second execution?). */
export class ApprovalAlreadyPendingError extends DomainError {
  readonly phaseId: string;

  constructor(phaseId: string, options?: { cause?: unknown }) {
    super(`an approval for phase ${phaseId} is already pending`, options);
    this.phaseId = phaseId;
  }
}

/**
 * Records that a phase report waits for approval, with the task token the admin API needs to
 * answer through SendTaskSuccess or SendTaskFailure. The execution stays paused until then.
 */
export async function requestApproval(
  deps: { readonly approvals: ApprovalStore; readonly clock: RolloutClock },
  task: ApprovalRequestTask,
): Promise<PendingApproval> {
  const pending: PendingApproval = {
    scheduleId: task.scheduleId,
    phaseId: task.phaseId,
    title: task.title,
    taskToken: task.taskToken,
    attempt: task.report.extensions + 1,
    reportKeys: task.report.keys,
    window: task.report.window,
    recipients: task.recipients,
    requestedAt: deps.clock.now().toISOString(),
  };
  await deps.approvals.recordPending(pending);
  return pending;
}
