import type { Channel } from '../routing/directory.ts';
import { type PhasePolicy, policyOf } from './policy.ts';
import { type Phase, type Schedule, ScheduleError } from './schedule.ts';
import { durationSeconds, toUtcZ } from './time.ts';

/** The period a phase report covers, when it is due and who receives it. Instants in UTC `Z` form. */
export interface PhaseReportWindow {
  /** Inclusive. */
  readonly from: string;
  /** Exclusive; the planned end of the phase, before any extension. */
  readonly to: string;
  readonly deadline: string;
  /** Agency codes or e-mail addresses. */
  readonly recipients: readonly string[];
}

/** What the gate does when the approver rejects the report, with the extension in seconds. */
export type RejectAction =
  | { readonly action: 'stop' }
  | {
      readonly action: 'extend';
      /** The ISO 8601 duration of the schedule, kept for people reading the execution history. */
      readonly extension: string;
      /** The same duration for a Wait state's `SecondsPath`. */
      readonly extensionSeconds: number;
      readonly maxExtensions: number;
    };

/** One item of the Map state: everything the iteration of one phase needs. */
export interface PhaseExecution {
  readonly phaseId: string;
  readonly title: string;
  /** UTC `Z` form, for the Wait state's `TimestampPath`. */
  readonly startAt: string;
  /** UTC `Z` form; null for an open-ended phase, which ends the execution once its policy is set. */
  readonly endAt: string | null;
  /** Null when the phase has no report and so no approval gate. */
  readonly reportWindow: PhaseReportWindow | null;
  readonly policy: PhasePolicy;
  /** Null exactly when `reportWindow` is null. */
  readonly onReject: RejectAction | null;
}

export interface StateMachineInput {
  readonly scheduleId: string;
  readonly timezone: string;
  readonly channels: readonly Channel[];
  readonly phases: readonly PhaseExecution[];
}

/**
 * The execution input of the rollout state machine. The contract it is built for:
 *
 * 1. a Map state over `$.phases` with `MaxConcurrency: 1`, so phases run in schedule order;
 * 2. per item: Wait with `TimestampPath: $.startAt` (a start already past returns at once, which
 *    is how a phase that follows an extended one starts late), then a task writes `$.policy` as
 *    the rollout policy record that routing reads;
 * 3. a Choice on `$.endAt` being null ends the item: an open-ended phase stays in force;
 * 4. Wait with `TimestampPath: $.endAt`, then a task builds the report for `$.reportWindow` and
 *    sends it to its recipients, then a `.waitForTaskToken` task waits for the approval;
 * 5. on approval the item ends; on rejection `$.onReject` decides: `stop` fails the execution
 *    (later phases never start); `extend` moves the end `extensionSeconds` later (see
 *    windowAfterExtensions), waits until then, reports on the longer window and asks for approval
 *    again, at most `maxExtensions` times, then stops. The policy stays in force meanwhile.
 *
 * Every instant is in the UTC `Z` form Step Functions requires of Wait timestamps.
 */
export function stateMachineInput(schedule: Schedule): StateMachineInput {
  return {
    scheduleId: schedule.id,
    timezone: schedule.timezone,
    channels: [...new Set(schedule.phases.flatMap((p) => p.channelsOpen))],
    phases: schedule.phases.map((phase, index): PhaseExecution => {
      const startAt = toUtcZ(new Date(phase.start));
      const endAt = phase.end === undefined ? null : toUtcZ(new Date(phase.end));
      const reportWindow =
        phase.report === undefined || endAt === null
          ? null
          : {
              from: startAt,
              to: endAt,
              deadline: toUtcZ(new Date(phase.report.deadline)),
              recipients: [...phase.report.recipients],
            };
      return {
        phaseId: phase.id,
        title: phase.title,
        startAt,
        endAt,
        reportWindow,
        policy: policyOf(phase),
        onReject: reportWindow === null ? null : rejectAction(phase.onReject, index),
      };
    }),
  };
}

function rejectAction(gate: Phase['onReject'], index: number): RejectAction {
  // parseSchedule requires a gate wherever there is a report; stopping is the safe reading.
  if (gate === undefined || gate.action === 'stop') return { action: 'stop' };
  const seconds = durationSeconds(gate.extension);
  if (seconds === undefined) {
    throw new ScheduleError([
      { path: `phases[${index}].onReject.extension`, message: 'must be a fixed-length duration' },
    ]);
  }
  return {
    action: 'extend',
    extension: gate.extension,
    extensionSeconds: seconds,
    maxExtensions: gate.maxExtensions,
  };
}

/**
 * The report window of a phase after `extensions` rejected reports, each of which moved the end
 * `extensionSeconds` later. The deadline moves by as much, so each new report has the same time
 * to be written as the first.
 */
export function windowAfterExtensions(
  phase: PhaseExecution,
  extensions: number,
): PhaseReportWindow {
  const window = phase.reportWindow;
  if (window === null) throw new RangeError(`phase ${phase.phaseId} has no report window`);
  if (!Number.isInteger(extensions) || extensions < 0) {
    throw new RangeError('extensions must be a whole number, zero or more');
  }
  if (extensions === 0) return window;
  const gate = phase.onReject;
  if (gate?.action !== 'extend' || extensions > gate.maxExtensions) {
    throw new RangeError(`phase ${phase.phaseId} allows no extension number ${extensions}`);
  }
  const shift = extensions * gate.extensionSeconds * 1000;
  return {
    ...window,
    to: toUtcZ(new Date(Date.parse(window.to) + shift)),
    deadline: toUtcZ(new Date(Date.parse(window.deadline) + shift)),
  };
}
