import { randomUUID } from 'node:crypto';
import type { EdxmlLimits } from '../edxml/attachments.ts';
import {
  type EdxmlOrganization,
  type EdxmlResponseFor,
  formatEdxmlDate,
  formatEdxmlTimestamp,
} from '../edxml/fields.ts';
import { buildStatusMessage } from '../edxml/status-message.ts';
import { XML_CHARS } from '../edxml/xml.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import type { AxisDocumentRecords, StatusRepository } from '../ports/status-repository.ts';
import { applyAxisStatus } from './apply-axis-status.ts';
import { AxisRejectedError } from './errors.ts';
import type {
  AxisClient,
  AxisClock,
  InboundClaim,
  InboundLedger,
  InboundOutcome,
  PlannedAnswer,
  StatusOutcome,
} from './ports.ts';
import { receivePackage } from './receive-package.ts';
import { isStatusMessage } from './salvage.ts';
import type { AxisTrust } from './verify-attachments.ts';

export { salvageResponseFor } from './salvage.ts';

export interface PollAxisDeps {
  readonly client: AxisClient;
  /** Where received packages and their PDFs are kept, under `inboundPrefix`. */
  readonly store: DocumentStore;
  /** Exactly-once claims per axis id. */
  readonly ledger: InboundLedger;
  /** Documents and deliveries: inbound documents are written here, statuses applied here. */
  readonly repository: Pick<
    StatusRepository,
    'recordDeliveries' | 'get' | 'deliveries' | 'advanceDelivery'
  > &
    AxisDocumentRecords;
  /** Trust anchors, intermediates, CRLs and policy for the attached PDFs' signatures. */
  readonly trust: AxisTrust;
  readonly clock: AxisClock;
  /** The organization that answers for the hub when a package names none of ours. */
  readonly self: EdxmlOrganization;
  /** True for the agency identifiers this deployment receives for. */
  readonly servesAgency: (organId: string) => boolean;
}

export interface PollAxisOptions {
  /** Messages handled per poll, so one run fits in the function's timeout. @default 20 */
  readonly maxPerPoll?: number;
  /** @default AXIS_INBOUND_PREFIX */
  readonly inboundPrefix?: string;
  /** Parser limits. @default DEFAULT_EDXML_LIMITS */
  readonly limits?: EdxmlLimits;
  /**
   * How long a claim keeps other pollers off a message; longer than one run, so only a crashed
   * run's claims expire. @default 15 minutes
   */
  readonly leaseMs?: number;
  /** Identifies this run in its claims. @default a random UUID */
  readonly owner?: string;
}

export interface PollResult {
  /** Verified, delivered to the addressed agencies' inboxes and answered 01. */
  readonly received: { readonly docId: string; readonly documentId: string }[];
  /** Answered 02 with the reason; nothing was delivered. */
  readonly refused: { readonly docId: string; readonly reason: string }[];
  /** Status messages about documents we sent, and what each did. */
  readonly statuses: { readonly docId: string; readonly outcome: StatusOutcome }[];
  /**
   * Not even the sender and document could be read, so no status can name it: nothing stored,
   * nothing answered. The axis keeps listing it; a person has to look.
   */
  readonly unanswerable: { readonly docId: string; readonly reason: string }[];
  /** The axis refused one of our calls about this message (e.g. it vanished); tried next poll. */
  readonly failed: { readonly docId: string; readonly code: string }[];
  /** Held by another poller, or handled before: not touched. */
  readonly skipped: { readonly docId: string; readonly reason: 'held' | 'finished' }[];
  /** Answered on a later (Vietnam) day than received: Decree 30's same-day rule was missed. */
  readonly late: string[];
}

const DEFAULT_MAX_PER_POLL = 20;
const DEFAULT_LEASE_MS = 15 * 60 * 1000;

/**
 * Receive what the axis holds for us: document packages and status messages.
 *
 * For each waiting message (at most `maxPerPoll`):
 * 1. Claim its axis id (one conditional write, before anything else). Held by a live poller, or
 *    finished before → skip.
 * 2. Unless a previous holder already decided (its lease ran out mid-way), fetch it and decide:
 *    a status message is applied to the delivery it names (applyAxisStatus); a package is
 *    verified and delivered, or refused (receivePackage). The decision is recorded.
 * 3. Send the answers still owed (01 per addressed agency, or 02 with the reason), each recorded
 *    once the axis accepted it, then finish the claim. All of it in the same poll, so the sender
 *    hears the same day; an answer crossing midnight is reported in `late`.
 *
 * AxisUnavailableError stops the poll (the next run retries); AxisRejectedError on one message is
 * reported in `failed` and the poll goes on. Either way the claim is released for the next run.
 */
export async function pollAxis(
  deps: PollAxisDeps,
  options: PollAxisOptions = {},
): Promise<PollResult> {
  const result: PollResult = {
    received: [],
    refused: [],
    statuses: [],
    unanswerable: [],
    failed: [],
    skipped: [],
    late: [],
  };
  const owner = options.owner ?? randomUUID();
  const ids = (await deps.client.getReceivedEdocList()).slice(
    0,
    options.maxPerPoll ?? DEFAULT_MAX_PER_POLL,
  );
  for (const docId of ids) {
    const now = deps.clock.now();
    const claimed = await deps.ledger.claim(docId, owner, {
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS)).toISOString(),
    });
    if (claimed.kind !== 'claimed') {
      if (claimed.claim.outcome?.kind === 'unanswerable') {
        result.unanswerable.push({ docId, reason: claimed.claim.outcome.reason });
      } else {
        result.skipped.push({ docId, reason: claimed.kind });
      }
      continue;
    }
    try {
      await handleClaimed(deps, options, owner, claimed.claim, result);
    } catch (error) {
      await deps.ledger.release(docId, owner).catch(() => undefined); // the lease expires anyway
      if (!(error instanceof AxisRejectedError)) throw error;
      result.failed.push({ docId, code: error.code });
    }
  }
  return result;
}

async function handleClaimed(
  deps: PollAxisDeps,
  options: PollAxisOptions,
  owner: string,
  claim: InboundClaim,
  result: PollResult,
): Promise<void> {
  const docId = claim.axisDocId;
  let outcome = claim.outcome;
  if (outcome === undefined) {
    const bytes = await deps.client.getEdoc(docId);
    const now = deps.clock.now();
    outcome = isStatusMessage(bytes)
      ? { kind: 'status', status: await applyAxisStatus(deps, bytes, now.toISOString()) }
      : await receivePackage(deps, options, { axisDocId: docId, bytes, now });
    await deps.ledger.decide(docId, owner, outcome);
  }
  if (outcome.kind === 'delivered' || outcome.kind === 'refused') {
    const done = new Set(claim.answered);
    for (const answer of outcome.answers) {
      const key = `${answer.code}#${answer.from.OrganId}`;
      if (done.has(key)) continue;
      await sendAnswer(deps, outcome.responseFor, answer);
      await deps.ledger.markAnswered(docId, owner, key);
    }
    if (formatEdxmlDate(new Date(claim.receivedAt)) !== formatEdxmlDate(deps.clock.now())) {
      result.late.push(docId);
    }
  }
  await deps.ledger.finish(docId, owner, deps.clock.now().toISOString());
  report(result, docId, outcome);
}

function report(result: PollResult, docId: string, outcome: InboundOutcome): void {
  switch (outcome.kind) {
    case 'delivered':
      result.received.push({ docId, documentId: outcome.documentId });
      return;
    case 'refused':
      result.refused.push({ docId, reason: outcome.reason });
      return;
    case 'unanswerable':
      result.unanswerable.push({ docId, reason: outcome.reason });
      return;
    case 'status':
      result.statuses.push({ docId, outcome: outcome.status });
      return;
  }
}

async function sendAnswer(
  deps: PollAxisDeps,
  responseFor: EdxmlResponseFor,
  answer: PlannedAnswer,
): Promise<void> {
  const xml = buildStatusMessage({
    ResponseFor: responseFor,
    From: answer.from,
    StatusCode: answer.code,
    Description: statusDescription(answer.description),
    Timestamp: formatEdxmlTimestamp(deps.clock.now()),
  });
  await deps.client.updateStatus(xml);
}

/** Reasons come from parser and validator messages: short, and only characters XML can carry. */
export function statusDescription(reason: string): string {
  const clean = [...reason].filter((c) => XML_CHARS.test(c)).join('');
  return clean.length > 500 ? `${clean.slice(0, 499)}…` : clean;
}
