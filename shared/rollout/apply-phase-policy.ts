import { DomainError } from '../errors.ts';
import type { PolicyRecord, RolloutClock, RolloutPolicyStore } from './rollout-ports.ts';
import type { ApplyPolicyTask } from './tasks.ts';

/** A policy with a later start is already in force: another execution ran ahead of this one. */
export class PolicySupersededError extends DomainError {
  readonly phaseId: string;

  constructor(scheduleId: string, phaseId: string) {
    super(`a later policy than ${scheduleId}/${phaseId} is already in force`);
    this.phaseId = phaseId;
  }
}

/**
 * Puts a phase's policy in force for routing.
 *
 * 1. Builds the record from the task (the policy is copied as the schedule states it).
 * 2. Stores it: once in the history, and as the current policy unless a later one is current.
 * 3. Throws PolicySupersededError in that case, so the execution alerts instead of going on
 *    with a phase that is not in force.
 *
 * Safe to repeat: the state machine retries the task on Lambda service errors.
 */
export async function applyPhasePolicy(
  deps: { readonly store: RolloutPolicyStore; readonly clock: RolloutClock },
  task: ApplyPolicyTask,
): Promise<PolicyRecord> {
  const record: PolicyRecord = {
    scheduleId: task.scheduleId,
    phaseId: task.phaseId,
    policy: task.policy,
    effectiveFrom: task.startAt,
    effectiveTo: task.endAt,
    appliedAt: deps.clock.now().toISOString(),
  };
  const { applied } = await deps.store.applyPolicy(record);
  if (!applied) throw new PolicySupersededError(task.scheduleId, task.phaseId);
  return record;
}
