import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import { statusTable } from '#infra/definitions.ts';
import type { RolloutView } from '#shared/documents/api-schemas.ts';
import type { Caller } from '#shared/documents/caller.ts';
import type { Schedule } from '#shared/rollout/schedule.ts';
import { stateMachineInput } from '#shared/rollout/state-machine-input.ts';
import {
  approvalDecisionSchema,
  phaseReportResultSchema,
  type reportKeysSchema,
} from '#shared/rollout/tasks.ts';
import { type Emulators, emulatorClientEnv, startEmulators } from './emulators.ts';
import { type ExecutionOutcome, startRolloutRunner, type TaskRecord } from './rollout-runner.ts';

/**
 * The variables the rollout functions are deployed with (infra/constructs/rollout-state-machine.ts),
 * pointing at the emulators, plus what every local handler needs to reach them.
 */
export function rolloutHandlerEnv(
  emulators: Pick<Emulators, 'awsEndpoint' | 'dynamodbEndpoint' | 'resources'>,
): Record<string, string> {
  const byIssuer = statusTable.indexes.find((i) => i.indexName === 'byIssuer');
  if (byIssuer === undefined) throw new Error('the status table has no index byIssuer');
  return {
    ...emulatorClientEnv(emulators),
    TABLE_NAME: emulators.resources.table,
    ISSUER_INDEX: byIssuer.indexName,
    REPORTS_BUCKET: emulators.resources.buckets.reports,
  };
}

/** The figures of a phase report a reader looks at first. */
export interface ReportSummary {
  readonly keys: z.infer<typeof reportKeysSchema>;
  readonly window: { readonly from: string; readonly to: string; readonly deadline: string };
  readonly extensions: number;
  readonly complete: boolean;
  readonly documents: z.infer<typeof reportFileSchema>['report']['documents'];
  readonly deliveries: z.infer<typeof reportFileSchema>['report']['deliveries'];
  readonly silentAgencies: readonly string[];
}

export interface PhaseOutcome {
  readonly phaseId: string;
  /** The policy routing read right after the phase started, from the status table. */
  readonly appliedPolicy?: RolloutView;
  /** Each report of the phase: the planned window, then one per extension. */
  readonly reports: ReportSummary[];
  /** The decision on each report, in order. */
  readonly decisions: z.infer<typeof approvalDecisionSchema>[];
}

export interface SimulationResult {
  readonly scheduleId: string;
  readonly outcome: ExecutionOutcome;
  readonly phases: PhaseOutcome[];
}

export interface SimulateOptions {
  /** Pause of each Wait state in milliseconds (compressed time). @default 0 */
  readonly waitMs?: number;
  /** Who approves every report. */
  readonly approver: Caller;
  /** Called as each phase moves on (policy applied, report written, decision taken). */
  readonly onProgress?: (phase: PhaseOutcome) => void;
}

const reportFileSchema = z.object({
  report: z.object({
    documents: z.object({
      total: z.int(),
      electronicOnly: z.int(),
      paperAlso: z.int(),
      verified: z.int(),
      rejected: z.int(),
    }),
    deliveries: z.object({
      total: z.int(),
      delivered: z.int(),
      refused: z.int(),
      pending: z.int(),
    }),
    silentAgencies: z.array(z.string()),
  }),
});
const phaseOf = z.object({ phaseId: z.string() });

/**
 * Runs a schedule from start to end on a throwaway local stack (emulators in a temp dir, the
 * runner on the real handlers), approving every report as `approver`, and returns what each
 * phase put in force and reported. Time is compressed to `waitMs` per Wait state.
 *
 * Handlers read their configuration once per process: run one simulation per process.
 */
export async function simulateRollout(
  schedule: Schedule,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const stateDir = await mkdtemp(join(tmpdir(), 'edoc-rollout-'));
  try {
    const emulators = await startEmulators({ stateDir, ports: { aws: 0, dynamodb: 0 } });
    try {
      return await simulateOn(emulators, schedule, options);
    } finally {
      await emulators.stop();
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function simulateOn(
  emulators: Emulators,
  schedule: Schedule,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const overview = new DynamoDbRolloutOverview(
    emulators.clients.dynamodb,
    emulators.resources.table,
  );
  const phases = new Map<string, PhaseOutcome>();
  const phase = (phaseId: string): PhaseOutcome => {
    const found = phases.get(phaseId) ?? { phaseId, reports: [], decisions: [] };
    phases.set(phaseId, found);
    return found;
  };
  const onTask = async (task: TaskRecord) => {
    if (task.error !== undefined) return;
    const { phaseId } = phaseOf.parse(task.payload);
    const current = phase(phaseId);
    if (task.entry === 'rollout-apply-policy') {
      phases.set(phaseId, { ...current, appliedPolicy: await overview.current() });
    } else if (task.entry === 'rollout-report') {
      current.reports.push(await summarize(emulators, phaseReportResultSchema.parse(task.result)));
    } else if (task.entry === 'rollout-approval-request') {
      current.decisions.push(approvalDecisionSchema.parse(task.output));
    }
    options.onProgress?.(phase(phaseId));
  };
  const runner = await startRolloutRunner({
    env: { ...rolloutHandlerEnv(emulators), POWERTOOLS_LOG_LEVEL: 'WARN' },
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    onTask,
  });
  try {
    const execution = runner.start(stateMachineInput(schedule), {
      name: schedule.id,
      autoApprove: options.approver,
    });
    const outcome = await execution.result;
    return { scheduleId: schedule.id, outcome, phases: [...phases.values()] };
  } finally {
    await runner.stop();
  }
}

async function summarize(
  emulators: Emulators,
  result: z.infer<typeof phaseReportResultSchema>,
): Promise<ReportSummary> {
  const object = await emulators.clients.s3.send(
    new GetObjectCommand({ Bucket: emulators.resources.buckets.reports, Key: result.keys.json }),
  );
  const { report } = reportFileSchema.parse(
    JSON.parse((await object.Body?.transformToString()) ?? ''),
  );
  return {
    keys: result.keys,
    window: result.window,
    extensions: result.extensions,
    complete: result.complete,
    documents: report.documents,
    deliveries: report.deliveries,
    silentAgencies: report.silentAgencies,
  };
}
