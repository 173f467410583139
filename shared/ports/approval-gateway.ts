import type { ApprovalDecision } from '../rollout/tasks.ts';

/**
 * Resumes the rollout execution paused on a task token (Step Functions SendTaskSuccess in AWS).
 * Throws ApprovalTaskClosedError when the token no longer waits: the task timed out, the
 * execution stopped, or someone already answered it.
 */
export interface ApprovalGateway {
  sendDecision(taskToken: string, decision: ApprovalDecision): Promise<void>;
}
