import type { Caller } from '#shared/documents/caller.ts';
import { type Phase, parseSchedule, type Schedule } from '#shared/rollout/schedule.ts';
import { formatVietnamese } from '#shared/rollout/time.ts';
import { parseCommandArgs, readInputFile, UsageError } from './usage.ts';

/** Who approves every report in a simulation, as the decisions record it. */
export const SIMULATION_APPROVER: Caller = {
  agency: '000.00.01.H48',
  role: 'admin',
  user: 'edoc-rollout-simulate',
};

/**
 * `edoc rollout plan <schedule.json> [--json]`: the phases of a schedule with their windows in
 * the schedule's time zone, who takes part, what goes without paper, the channels, and the
 * reports with their deadlines and recipients.
 * `edoc rollout simulate <schedule.json> [--json] [--wait-ms <n>]`: runs the whole sequence on a
 * throwaway local stack, approving every report, and prints what each phase put in force and
 * reported. Exit 1 when the schedule is invalid or the execution does not succeed.
 */
export async function rolloutCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'plan') return planCommand(rest);
  if (sub === 'simulate') return simulateCommand(rest);
  throw new UsageError(
    sub === undefined ? 'plan or simulate is required' : `unknown subcommand ${sub}`,
  );
}

async function readSchedule(positionals: string[]): Promise<Schedule> {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('the schedule file is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const text = (await readInputFile(file)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${error instanceof Error ? error.message : error}`);
  }
  return parseSchedule(json);
}

async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
  const schedule = await readSchedule(positionals);
  if (values.json) {
    console.log(JSON.stringify(planOf(schedule), null, 2));
    return 0;
  }
  console.log(formatPlan(schedule));
  return 0;
}

/** The plan as data: instants as the schedule writes them, in its own time zone. */
export function planOf(schedule: Schedule) {
  return {
    scheduleId: schedule.id,
    title: schedule.title,
    timezone: schedule.timezone,
    phases: schedule.phases.map((p) => ({
      phaseId: p.id,
      title: p.title,
      start: p.start,
      end: p.end ?? null,
      enrolledAgencies: p.enrolledAgencies,
      electronicOnlyTypes: p.electronicOnlyTypes,
      channelsOpen: p.channelsOpen,
      report: p.report ?? null,
      onReject: p.onReject ?? null,
    })),
  };
}

/** The plan for people: one block per phase, times in the schedule's zone, Vietnamese style. */
export function formatPlan(schedule: Schedule): string {
  const at = (instant: string) => formatVietnamese(new Date(instant), schedule.timezone);
  const lines = [`${schedule.id}: ${schedule.title}`, `  time zone  ${schedule.timezone}`];
  if (schedule.source !== undefined) lines.push(`  source     ${schedule.source}`);
  schedule.phases.forEach((p, i) => {
    lines.push(
      '',
      `${i + 1}. ${p.id}: ${p.title}`,
      `   window     ${at(p.start)} → ${p.end === undefined ? 'open-ended' : `${at(p.end)} (exclusive)`}`,
      `   enrolled   ${p.enrolledAgencies === 'all' ? 'all agencies' : p.enrolledAgencies.join(', ')}`,
      `   e-only     ${p.electronicOnlyTypes.join(', ') || 'none'}`,
      `   channels   ${p.channelsOpen.join(', ')}`,
      `   report     ${p.report === undefined ? 'none' : `due ${at(p.report.deadline)} to ${p.report.recipients.join(', ')}`}`,
    );
    if (p.onReject !== undefined) lines.push(`   if rejected ${gateText(p.onReject)}`);
  });
  return lines.join('\n');
}

function gateText(gate: NonNullable<Phase['onReject']>): string {
  if (gate.action === 'stop') return 'stop the rollout';
  const times = gate.maxExtensions === 1 ? 'once' : `up to ${gate.maxExtensions} times`;
  return `extend by ${gate.extension}, ${times}, then stop`;
}

async function simulateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    'wait-ms': { type: 'string' },
  });
  const waitMs = values['wait-ms'] === undefined ? 0 : Number(values['wait-ms']);
  if (!Number.isSafeInteger(waitMs) || waitMs < 0 || waitMs > 60_000) {
    throw new UsageError('--wait-ms must be a whole number of milliseconds from 0 to 60000');
  }
  const schedule = await readSchedule(positionals);
  // Loaded only here: the runner synthesizes the CDK app and starts emulators.
  const { simulateRollout } = await import('../../scripts/local/rollout-simulation.ts');
  const result = await simulateRollout(schedule, { waitMs, approver: SIMULATION_APPROVER });
  const ok = result.outcome.status === 'SUCCEEDED';
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return ok ? 0 : 1;
  }
  for (const phase of result.phases) {
    const policy = phase.appliedPolicy?.policy;
    lines(
      `${phase.phaseId}`,
      policy === undefined
        ? '  policy     not applied'
        : `  policy     channels ${policy.channelsOpen.join(', ')}; enrolled ${policy.enrolledAgencies === 'all' ? 'all' : policy.enrolledAgencies.join(', ')}; e-only ${Array.isArray(policy.electronicOnlyTypes) ? policy.electronicOnlyTypes.join(', ') : policy.electronicOnlyTypes}`,
      ...phase.reports.map(
        (r) =>
          `  report     ${r.keys.html}: ${r.documents.total} documents (${r.documents.electronicOnly} electronic only), ${r.deliveries.total} deliveries${r.complete ? '' : ', incomplete'}`,
      ),
      ...phase.decisions.map((d) => `  decision   ${d.decision} by ${d.decidedBy}`),
    );
  }
  const { outcome } = result;
  lines(
    outcome.status === 'FAILED'
      ? `rollout ${result.scheduleId}: FAILED ${outcome.error}: ${outcome.cause}`
      : `rollout ${result.scheduleId}: ${outcome.status}`,
  );
  return ok ? 0 : 1;
}

const lines = (...text: string[]) => console.log(text.join('\n'));
