import * as z from 'zod';
import { CHANNELS } from '../routing/directory.ts';
import { AgencyCodeSchema } from './schedule.ts';

/**
 * The payloads the rollout state machine passes to its three tasks, and the decision the admin
 * API returns through SendTaskSuccess. Handlers parse with these schemas: they are the contract
 * between `infra/constructs/rollout-state-machine.ts` and `functions/rollout-*.ts`. Objects are
 * not strict, because the state machine passes its whole iteration state to some tasks.
 */

/** An instant in the UTC `Z` form that stateMachineInput writes. */
const utcInstant = z.iso.datetime();

export const rolloutPolicyPayloadSchema = z.object({
  phaseId: z.string().min(1),
  channelsOpen: z.array(z.enum(CHANNELS)),
  enrolledAgencies: z.union([z.literal('all'), z.array(AgencyCodeSchema)]),
  electronicOnlyTypes: z.array(z.string().min(1)),
});

const reportWindowSchema = z.object({
  from: utcInstant,
  to: utcInstant,
  deadline: utcInstant,
  recipients: z.array(z.string().min(1)),
});

const rejectActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('stop') }),
  z.object({
    action: z.literal('extend'),
    extension: z.string(),
    extensionSeconds: z.int().positive(),
    maxExtensions: z.int().positive(),
  }),
]);

/** Input of the apply-policy task: the policy a phase puts in force from its start. */
export const applyPolicyTaskSchema = z.object({
  scheduleId: z.string().min(1),
  phaseId: z.string().min(1),
  startAt: utcInstant,
  endAt: utcInstant.nullable(),
  policy: rolloutPolicyPayloadSchema,
});
export type ApplyPolicyTask = z.infer<typeof applyPolicyTaskSchema>;

/** Input of the report task: one Map iteration's state, with the number of extensions so far. */
export const phaseReportTaskSchema = z.object({
  scheduleId: z.string().min(1),
  timezone: z.string().min(1),
  phaseId: z.string().min(1),
  title: z.string().min(1),
  startAt: utcInstant,
  endAt: utcInstant,
  policy: rolloutPolicyPayloadSchema,
  reportWindow: reportWindowSchema,
  onReject: rejectActionSchema,
  extension: z.object({ count: z.int().min(0) }),
});
export type PhaseReportTask = z.infer<typeof phaseReportTaskSchema>;

export const reportKeysSchema = z.object({
  json: z.string().min(1),
  csv: z.string().min(1),
  html: z.string().min(1),
});
export type ReportKeys = z.infer<typeof reportKeysSchema>;

/** Output of the report task, kept small: the state machine carries it to the approval task. */
export const phaseReportResultSchema = z.object({
  extensions: z.int().min(0),
  window: z.object({ from: utcInstant, to: utcInstant, deadline: utcInstant }),
  keys: reportKeysSchema,
  documents: z.int().min(0),
  /** False when the source stopped at its read bound: the figures undercount. */
  complete: z.boolean(),
});
export type PhaseReportResult = z.infer<typeof phaseReportResultSchema>;

/** Input of the approval task (`.waitForTaskToken`). */
export const approvalRequestTaskSchema = z.object({
  taskToken: z.string().min(1),
  scheduleId: z.string().min(1),
  phaseId: z.string().min(1),
  title: z.string().min(1),
  recipients: z.array(z.string().min(1)),
  report: phaseReportResultSchema,
});
export type ApprovalRequestTask = z.infer<typeof approvalRequestTaskSchema>;

/**
 * What the admin API sends with SendTaskSuccess once someone has read the report. A rejection is
 * a success of the task too: the state machine's Choice applies the phase's `onReject`.
 * SendTaskFailure is for the API's own faults; it takes the alert path and fails the execution.
 */
export const approvalDecisionSchema = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  decidedBy: z.string().min(1),
  note: z.string().optional(),
});
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;
