import * as z from 'zod';
import { DomainError } from '../errors.ts';
import { documentTypeCodeSchema } from '../routing/catalogue.ts';
import { CHANNELS } from '../routing/directory.ts';
import { durationSeconds, isTimeZone, writtenOffsetMinutes, zoneOffsetMinutes } from './time.ts';

/**
 * Agency identifier of QCVN 102 (`000.00.00.H48`): dot-separated groups of digits and capitals,
 * at most 35 characters since the 2022 amendment.
 */
export const AgencyCodeSchema = z
  .string()
  .max(35)
  .regex(/^[0-9A-Z]+(?:\.[0-9A-Z]+)+$/, 'must be an agency code such as 000.00.00.H48');

/** Document type codes are the catalogue's (`giay-moi`, `thong-bao`), which routing matches. */
const TypeCodeSchema = documentTypeCodeSchema;

const InstantSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 instant with its offset, such as 2019-04-25T00:00:00+07:00',
});

const EmailSchema = z.email();

const RecipientSchema = z
  .string()
  .refine(
    (s) => AgencyCodeSchema.safeParse(s).success || EmailSchema.safeParse(s).success,
    'must be an agency code such as 000.00.00.H48 or an e-mail address',
  );

const ReportSchema = z.strictObject({
  deadline: InstantSchema,
  recipients: z.array(RecipientSchema).min(1),
});

const GateSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('stop') }),
  z.strictObject({
    action: z.literal('extend'),
    extension: z
      .string()
      .refine(
        (d) => durationSeconds(d) !== undefined,
        'must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as P7D',
      ),
    maxExtensions: z.int().min(1).max(52),
  }),
]);

const PhaseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, such as province-pilot'),
  title: z.string().trim().min(1),
  start: InstantSchema,
  /** Exclusive. Omitted only by the last phase, which then lasts until the schedule is replaced. */
  end: InstantSchema.optional(),
  enrolledAgencies: z.union([z.literal('all'), z.array(AgencyCodeSchema).min(1)], {
    error: 'must be "all" or a non-empty list of agency codes',
  }),
  electronicOnlyTypes: z.array(TypeCodeSchema),
  channelsOpen: z.array(z.enum(CHANNELS)).min(1),
  report: ReportSchema.optional(),
  onReject: GateSchema.optional(),
});

type Ctx = z.core.$RefinementCtx<unknown>;

const issue = (ctx: Ctx, path: (string | number)[], message: string) =>
  ctx.addIssue({ code: 'custom', path, message });

function checkUnique(ctx: Ctx, values: readonly string[], path: (string | number)[]) {
  values.forEach((v, i) => {
    if (values.indexOf(v) !== i) issue(ctx, [...path, i], `repeats ${v}`);
  });
}

/**
 * A rollout schedule as JSON. Instants carry their offset, which must be the schedule's own time
 * zone offset at that instant, so the file reads in local time and a stray `Z` is caught. Each
 * phase runs from `start` (inclusive) to `end` (exclusive); phases are in order and do not
 * overlap, though gaps between them are allowed (no policy is in force there).
 */
export const ScheduleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case'),
    title: z.string().trim().min(1),
    /** The instruction the schedule carries out, such as `1808/UBND-KGVX`. */
    source: z.string().optional(),
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Ho_Chi_Minh'),
    notes: z.array(z.string()).optional(),
    phases: z.array(PhaseSchema).min(1),
  })
  .superRefine((schedule, ctx) => {
    // Relations between fields are checked once every field is valid on its own.
    if (ctx.issues.length > 0) return;
    checkUnique(
      ctx,
      schedule.phases.map((p) => p.id),
      ['phases'],
    );
    const checkOffset = (instant: string, path: (string | number)[]) => {
      const expected = zoneOffsetMinutes(schedule.timezone, new Date(instant));
      if (writtenOffsetMinutes(instant) !== expected) {
        issue(ctx, path, `must be written with the ${schedule.timezone} offset at that instant`);
      }
    };
    schedule.phases.forEach((phase, i) => {
      const at = (...rest: (string | number)[]) => ['phases', i, ...rest];
      const start = Date.parse(phase.start);
      checkOffset(phase.start, at('start'));
      if (phase.end !== undefined) {
        checkOffset(phase.end, at('end'));
        if (Date.parse(phase.end) <= start) issue(ctx, at('end'), 'must be after start');
      } else if (i < schedule.phases.length - 1) {
        issue(ctx, at('end'), 'is required: only the last phase may be open-ended');
      }
      const previous = schedule.phases[i - 1];
      if (previous?.end !== undefined && start < Date.parse(previous.end)) {
        issue(ctx, at('start'), `must not be before the end of phase ${previous.id}`);
      }
      if (Array.isArray(phase.enrolledAgencies)) {
        checkUnique(ctx, phase.enrolledAgencies, at('enrolledAgencies'));
      }
      checkUnique(ctx, phase.electronicOnlyTypes, at('electronicOnlyTypes'));
      checkUnique(ctx, phase.channelsOpen, at('channelsOpen'));
      if (phase.report !== undefined) {
        checkOffset(phase.report.deadline, at('report', 'deadline'));
        if (phase.end === undefined) {
          issue(
            ctx,
            at('report'),
            'needs the phase to have an end: the report covers start to end',
          );
        } else if (Date.parse(phase.report.deadline) <= Date.parse(phase.end)) {
          issue(ctx, at('report', 'deadline'), 'must be after the end of the phase');
        }
        if (phase.onReject === undefined) {
          issue(ctx, at('onReject'), 'is required when the phase has a report to approve');
        }
      } else if (phase.onReject !== undefined) {
        issue(ctx, at('onReject'), 'needs a report: without one there is no approval to reject');
      }
    });
  });

export type Schedule = z.infer<typeof ScheduleSchema>;
export type Phase = Schedule['phases'][number];
export type RejectGate = NonNullable<Phase['onReject']>;

export interface ScheduleIssue {
  /** Where the problem is, such as `phases[1].report.deadline`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

/** A schedule file that does not describe a valid rollout; `issues` name each faulty field. */
export class ScheduleError extends DomainError {
  readonly issues: readonly ScheduleIssue[];

  constructor(issues: readonly ScheduleIssue[], options?: { cause?: unknown }) {
    super(
      `invalid rollout schedule: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      options,
    );
    this.issues = issues;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Validates a parsed schedule file; throws ScheduleError listing every problem by field path. */
export function parseSchedule(json: unknown): Schedule {
  const result = ScheduleSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ScheduleError(
    result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    { cause: result.error },
  );
}
