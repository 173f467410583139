import type { z } from 'zod';
import type { ApprovalDesk } from '../ports/approval-desk.ts';
import type { ApprovalGateway } from '../ports/approval-gateway.ts';
import { type ApprovalDecision, approvalDecisionSchema } from '../rollout/tasks.ts';
import {
  approvalDecisionBodySchema,
  type approvalResultSchema,
  type pendingApprovalViewSchema,
} from './api-schemas.ts';
import type { Caller } from './caller.ts';
import { requireAdmin } from './document-queries.ts';
import {
  ApprovalNotFoundError,
  ApprovalNotPendingError,
  ApprovalsUnavailableError,
  ApprovalTaskClosedError,
  InvalidRequestError,
} from './errors.ts';
import { fieldErrors } from './field-errors.ts';

export interface ApprovalDeps {
  /** Absent when the deployment has no rollout state machine: the routes answer 503. */
  readonly approvals?: { readonly desk: ApprovalDesk; readonly gateway: ApprovalGateway };
  readonly clock: { now(): Date };
}

/** `GET /admin/approvals`: phase reports waiting for a decision; task tokens never leave. */
export async function listPendingApprovals(
  deps: ApprovalDeps,
  caller: Caller,
): Promise<{ items: z.infer<typeof pendingApprovalViewSchema>[] }> {
  requireAdmin(caller);
  if (!deps.approvals) throw new ApprovalsUnavailableError();
  const pending = await deps.approvals.desk.pending();
  return {
    items: pending.map(({ taskToken: _token, status: _status, ...view }) => ({
      ...view,
      reportKeys: { ...view.reportKeys },
      window: { ...view.window },
      recipients: [...view.recipients],
    })),
  };
}

/**
 * `POST /admin/approvals/{phaseId}`:
 * 1. the item must exist and be PENDING;
 * 2. it is marked decided first, conditional on PENDING with its token, so of two administrators
 *    deciding at once only one goes on;
 * 3. the decision resumes the execution (SendTaskSuccess). If the execution no longer waits the
 *    item stays decided and the caller is told; any other failure reopens the item for a retry.
 */
export async function decideApproval(
  deps: ApprovalDeps,
  caller: Caller,
  phaseId: string,
  body: unknown,
): Promise<z.infer<typeof approvalResultSchema>> {
  requireAdmin(caller);
  if (!deps.approvals) throw new ApprovalsUnavailableError();
  const { desk, gateway } = deps.approvals;
  const parsed = approvalDecisionBodySchema.safeParse(body);
  if (!parsed.success) throw new InvalidRequestError(fieldErrors(parsed.error));
  const item = await desk.get(phaseId);
  if (item === undefined) throw new ApprovalNotFoundError(phaseId);
  if (item.status !== 'PENDING') throw new ApprovalNotPendingError(phaseId);

  const decision: ApprovalDecision = approvalDecisionSchema.parse({
    decision: parsed.data.decision,
    decidedBy: caller.user ?? caller.agency,
    ...(parsed.data.note === undefined ? {} : { note: parsed.data.note }),
  });
  const at = deps.clock.now().toISOString();
  if (!(await desk.markDecided(phaseId, item.taskToken, decision, at))) {
    throw new ApprovalNotPendingError(phaseId);
  }
  try {
    await gateway.sendDecision(item.taskToken, decision);
  } catch (error) {
    if (!(error instanceof ApprovalTaskClosedError)) await desk.reopen(phaseId, item.taskToken);
    throw error;
  }
  return { phaseId, decision: decision.decision, decidedBy: decision.decidedBy, decidedAt: at };
}
