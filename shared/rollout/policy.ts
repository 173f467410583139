import { DomainError } from '../errors.ts';
import type { RolloutPolicy } from '../routing/rollout-policy.ts';
import type { Phase, Schedule } from './schedule.ts';

/**
 * The policy routing reads, as a phase puts it in force: a phase always lists its
 * electronic-only types (only the official-use default defers to the catalogue).
 */
export type PhasePolicy = RolloutPolicy & { readonly electronicOnlyTypes: readonly string[] };

/** A phase id the schedule does not define. */
export class UnknownPhaseError extends DomainError {
  readonly phaseId: string;

  constructor(scheduleId: string, phaseId: string) {
    super(`schedule ${scheduleId} has no phase ${phaseId}`);
    this.phaseId = phaseId;
  }
}

/** The policy a phase puts in force, copied so that callers cannot alter the schedule. */
export function policyOf(phase: Phase): PhasePolicy {
  return {
    phaseId: phase.id,
    channelsOpen: [...phase.channelsOpen],
    enrolledAgencies: phase.enrolledAgencies === 'all' ? 'all' : [...phase.enrolledAgencies],
    electronicOnlyTypes: [...phase.electronicOnlyTypes],
  };
}

/** The policy of phase `phaseId`; throws UnknownPhaseError when the schedule has no such phase. */
export function policyForPhase(schedule: Schedule, phaseId: string): PhasePolicy {
  const phase = schedule.phases.find((p) => p.id === phaseId);
  if (phase === undefined) throw new UnknownPhaseError(schedule.id, phaseId);
  return policyOf(phase);
}

/**
 * The phase whose planned window holds `at` (start inclusive, end exclusive; the last phase may
 * be open-ended), or undefined before the first phase and in a gap between two phases. This is
 * the plan: an extension granted after a rejected report exists only in the state machine.
 */
export function phaseAt(schedule: Schedule, at: Date): Phase | undefined {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new RangeError('phaseAt needs a valid date');
  return schedule.phases.find(
    (p) => Date.parse(p.start) <= t && (p.end === undefined || t < Date.parse(p.end)),
  );
}
