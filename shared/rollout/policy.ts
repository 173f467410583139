import { DomainError } from '../errors.ts';
import type { Channel, Phase, Schedule } from './schedule.ts';

/**
 * What routing reads to decide how a document may travel while a phase is in force: which
 * channels are open, which agencies take part, and which document types go without paper.
 */
export interface RolloutPolicy {
  readonly phaseId: string;
  readonly channelsOpen: readonly Channel[];
  /** `'all'` or the agency codes enrolled in the phase. */
  readonly enrolledAgencies: 'all' | readonly string[];
  /** Type codes issued electronically only; every other type is also posted on paper. */
  readonly electronicOnlyTypes: readonly string[];
}

/** A phase id the schedule does not define. */
export class UnknownPhaseError extends DomainError {
  readonly phaseId: string;

  constructor(scheduleId: string, phaseId: string) {
    super(`schedule ${scheduleId} has no phase ${phaseId}`);
    this.phaseId = phaseId;
  }
}

/** The policy a phase puts in force, copied so that callers cannot alter the schedule. */
export function policyOf(phase: Phase): RolloutPolicy {
  return {
    phaseId: phase.id,
    channelsOpen: [...phase.channelsOpen],
    enrolledAgencies: phase.enrolledAgencies === 'all' ? 'all' : [...phase.enrolledAgencies],
    electronicOnlyTypes: [...phase.electronicOnlyTypes],
  };
}

/** The policy of phase `phaseId`; throws UnknownPhaseError when the schedule has no such phase. */
export function policyForPhase(schedule: Schedule, phaseId: string): RolloutPolicy {
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
