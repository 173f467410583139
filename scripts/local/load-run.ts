import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ApiClient, ApiError } from '#cli/api-client.ts';
import {
  announceDocument,
  type DocumentRequest,
  getDocument,
  postUploadForm,
  vietnamToday,
} from '#cli/upload.ts';
import { countersignQueue, ingestQueue, routeQueue } from '#infra/definitions.ts';
import { documentPageSchema, type Stats, statsSchema } from '#shared/documents/api-schemas.ts';
import { type DocumentStatus, isTerminal } from '#shared/status/document-status.ts';
import { signWithLeaderKey } from '../demo.ts';
import { type DevAuth, signDevToken } from './dev-token.ts';
import { localCredentials, localName, localRegion } from './emulators.ts';
import type { LocalLeaderKey, LocalReference } from './local-reference.ts';
import { startTempStack } from './temp-stack.ts';

/**
 * What each document of a load run is, and where it must end:
 * - `good`: signed by a leader of its issuer → ROUTED;
 * - `tampered`: a byte of the signed text changed after signing → REJECTED (SIGNATURE_TOTAL_FAILED);
 * - `wrong-signer`: signed by a leader of another agency → REJECTED (SIGNER_NOT_OF_AGENCY);
 * - `secret`: marked Mật → refused by `POST /documents` with 422, nothing created;
 * - `duplicate`: the number of a good document of the same issuer → refused with 409.
 */
export type LoadKind = 'good' | 'tampered' | 'wrong-signer' | 'secret' | 'duplicate';

/** Where a document ended, as the client saw it: a document status, or the API's refusal. */
export type LoadOutcome = 'ROUTED' | 'REJECTED' | 'REFUSED_422' | 'REFUSED_409';

export const EXPECTED_OUTCOME: Readonly<Record<LoadKind, LoadOutcome>> = {
  good: 'ROUTED',
  tampered: 'REJECTED',
  'wrong-signer': 'REJECTED',
  secret: 'REFUSED_422',
  duplicate: 'REFUSED_409',
};

/** The rejection reason a REJECTED kind must carry. */
const EXPECTED_REASON: Partial<Record<LoadKind, string>> = {
  tampered: 'SIGNATURE_TOTAL_FAILED',
  'wrong-signer': 'SIGNER_NOT_OF_AGENCY',
};

/** One bad document of each kind in every 20: a fifth of the run. */
const BAD_EVERY_20: Readonly<Record<number, LoadKind>> = {
  3: 'tampered',
  8: 'secret',
  13: 'duplicate',
  18: 'wrong-signer',
};

/** Recipients: the Provincial Office and two departments with inboxes in the seed's phases. */
const RECIPIENTS = ['000.00.01.H48', '000.00.08.H48', '000.00.02.H48'] as const;

export interface PlannedDocument {
  readonly index: number;
  readonly kind: LoadKind;
  readonly issuer: LocalLeaderKey;
  readonly number: number;
  /** A duplicate waits for the announcement of the document whose number it reuses. */
  readonly duplicateOf?: number;
}

/**
 * The run's documents, issuers taken in turn. A duplicate reuses the number of the first good
 * document of its issuer, which comes before it (so an agency's uploads, taken in order, never
 * wait on a later one); without one it is a good document instead.
 */
export function planLoad(documents: number, issuers: readonly LocalLeaderKey[]): PlannedDocument[] {
  if (issuers.length === 0) throw new Error('no issuing agency to load with');
  const draft = Array.from({ length: documents }, (_, index) => {
    const issuer = issuers[index % issuers.length] ?? issuers[0];
    if (issuer === undefined) throw new Error('no issuing agency to load with');
    return { index, issuer, kind: BAD_EVERY_20[index % 20] ?? ('good' as LoadKind) };
  });
  return draft.map(({ index, issuer, kind }) => {
    if (kind !== 'duplicate') return { index, kind, issuer, number: index + 1 };
    const original = draft.find(
      (d) => d.index < index && d.kind === 'good' && d.issuer.agency === issuer.agency,
    );
    if (original === undefined) return { index, kind: 'good', issuer, number: index + 1 };
    return { index, kind, issuer, number: original.index + 1, duplicateOf: original.index };
  });
}

export interface LoadTarget {
  readonly api: string;
  /** Signs the agencies' and the administrator's tokens. */
  readonly auth: DevAuth;
  /** Leader keys to sign with. */
  readonly reference: LocalReference;
  /** The S3/SQS endpoint, to read the pipeline's dead-letter queues. */
  readonly awsEndpoint: string;
}

export interface LoadOptions {
  readonly documents: number;
  readonly agencies: number;
  /** Documents in flight per agency (announce, upload). @default 4 */
  readonly perAgency?: number;
  /** Between two reads of an agency's document list. @default 500 */
  readonly pollIntervalMs?: number;
  /** Give up waiting for terminal states after this long. @default 600_000 */
  readonly timeoutMs?: number;
  readonly print?: (line: string) => void;
}

export interface LoadDocumentResult {
  readonly index: number;
  readonly kind: LoadKind;
  readonly issuer: string;
  readonly number: number;
  readonly id?: string;
  readonly outcome?: LoadOutcome;
  /** From the end of the upload to the terminal state, for uploaded documents. */
  readonly latencyMs?: number;
  /** The client failed to do its part (network, unexpected answer). */
  readonly error?: string;
}

export interface LoadReport {
  readonly notation: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly documents: readonly LoadDocumentResult[];
  readonly expected: Readonly<Record<LoadOutcome, number>>;
  readonly observed: Readonly<Record<LoadOutcome, number>>;
  readonly stats: Stats | undefined;
  /** Messages added to each dead-letter queue during the run. */
  readonly deadLettered: Readonly<Record<string, number>>;
  /** Every check that did not hold; empty when the run is consistent. */
  readonly mismatches: readonly string[];
  readonly elapsedMs: number;
  readonly documentsPerSecond: number;
  readonly medianMs: number | undefined;
  readonly p95Ms: number | undefined;
}

const OUTCOMES: readonly LoadOutcome[] = ['ROUTED', 'REJECTED', 'REFUSED_422', 'REFUSED_409'];
function countBy(outcomes: readonly (LoadOutcome | undefined)[]): Record<LoadOutcome, number> {
  const n = (outcome: LoadOutcome) => outcomes.filter((o) => o === outcome).length;
  return {
    ROUTED: n('ROUTED'),
    REJECTED: n('REJECTED'),
    REFUSED_422: n('REFUSED_422'),
    REFUSED_409: n('REFUSED_409'),
  };
}

/**
 * Upload a planned mix of documents through the HTTP API as agencies do (`POST /documents`, then
 * the pre-signed POST), wait until every one is terminal, and check the run:
 * 1. every document ends in exactly one terminal state, the one its kind calls for (with its
 *    rejection reason), and the API lists no other document of the run;
 * 2. the counts per state add up to N and match what was sent;
 * 3. no message reached a dead-letter queue of the pipeline during the run;
 * 4. `GET /admin/stats` over the run's window counts the same ROUTED and REJECTED documents.
 * Never throws for a mismatch: it is listed in `mismatches`.
 */
export async function runLoad(target: LoadTarget, options: LoadOptions): Promise<LoadReport> {
  const print = options.print ?? (() => undefined);
  const issuers = target.reference.leaders.slice(0, options.agencies);
  if (issuers.length < options.agencies) {
    throw new Error(
      `only ${issuers.length} issuing agencies have local leader keys, not ${options.agencies}`,
    );
  }
  const plan = planLoad(options.documents, issuers);
  // A notation of its own, so the run's numbers never collide with another run's.
  const notation = `LOAD-${randomBytes(4).toString('hex').toUpperCase()}`;
  const as = (agency: string) => new ApiClient(target.api, signDevToken(target.auth, { agency }));
  const sqs = new SQSClient({
    region: localRegion,
    credentials: localCredentials,
    endpoint: target.awsEndpoint,
  });
  try {
    const deadLetterBefore = await deadLetterDepths(sqs);
    const started = Date.now();
    const from = new Date(started - 1000).toISOString();
    print(`load: ${plan.length} documents from ${issuers.length} agencies as …/${notation}`);

    const uploaded = await uploadAll(plan, issuers, {
      notation,
      leaders: target.reference.leaders,
      as,
      perAgency: options.perAgency ?? 4,
      print,
    });
    const terminal = await waitUntilTerminal(uploaded, issuers, {
      notation,
      since: from,
      as,
      intervalMs: options.pollIntervalMs ?? 500,
      timeoutMs: options.timeoutMs ?? 600_000,
      print,
    });
    const finished = Date.now();
    const to = new Date(finished + 1000).toISOString();

    const mismatches: string[] = [];
    const documents = await settle(uploaded, terminal, as, mismatches);
    const expected = countBy(plan.map((p) => EXPECTED_OUTCOME[p.kind]));
    const observed = countBy(documents.map((d) => d.outcome));
    const accounted = OUTCOMES.reduce((sum, o) => sum + observed[o], 0);
    if (accounted !== plan.length) {
      mismatches.push(`${accounted} documents in a terminal state, ${plan.length} sent`);
    }
    for (const o of OUTCOMES) {
      if (observed[o] !== expected[o]) {
        mismatches.push(`${o}: ${observed[o]} observed, ${expected[o]} expected`);
      }
    }

    const deadLetterAfter = await deadLetterDepths(sqs);
    const deadLettered = Object.fromEntries(
      Object.entries(deadLetterAfter).map(([queue, n]) => [
        queue,
        n - (deadLetterBefore[queue] ?? 0),
      ]),
    );
    for (const [queue, added] of Object.entries(deadLettered)) {
      if (added !== 0) mismatches.push(`${added} messages reached ${queue}`);
    }

    const stats = await adminStats(target, from, to).catch((error: unknown) => {
      mismatches.push(`GET /admin/stats failed: ${describe(error)}`);
      return undefined;
    });
    if (stats !== undefined) mismatches.push(...compareStats(stats, observed));

    const latencies = documents
      .flatMap((d) => (d.latencyMs === undefined ? [] : [d.latencyMs]))
      .sort((a, b) => a - b);
    const elapsedMs = finished - started;
    return {
      notation,
      window: { from, to },
      documents,
      expected,
      observed,
      stats,
      deadLettered,
      mismatches,
      elapsedMs,
      documentsPerSecond: plan.length / Math.max(elapsedMs / 1000, 0.001),
      medianMs: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
    };
  } finally {
    sqs.destroy();
  }
}

interface Uploaded extends LoadDocumentResult {
  /** When the upload ended (ms since the epoch). */
  readonly uploadedAt?: number;
}

async function uploadAll(
  plan: readonly PlannedDocument[],
  issuers: readonly LocalLeaderKey[],
  context: {
    readonly notation: string;
    /** Every local leader: a wrong signer is one of another agency. */
    readonly leaders: readonly LocalLeaderKey[];
    readonly as: (agency: string) => ApiClient;
    readonly perAgency: number;
    readonly print: (line: string) => void;
  },
): Promise<Uploaded[]> {
  const results: Uploaded[] = new Array(plan.length);
  const announced = new Map<number, Promise<unknown>>();
  const settled = new Map<number, () => void>();
  for (const p of plan) {
    announced.set(p.index, new Promise<void>((resolve) => settled.set(p.index, resolve)));
  }
  const pdfFor = async (p: PlannedDocument): Promise<Buffer> => {
    const text = `Cong van ${p.number}/${context.notation} lan ${p.index}`;
    const other = context.leaders.find((l) => l.agency !== p.issuer.agency);
    if (p.kind === 'wrong-signer' && other === undefined) {
      throw new Error('a wrong signer needs the leader key of a second agency');
    }
    const signer = p.kind === 'wrong-signer' && other !== undefined ? other : p.issuer;
    const pdf = await signWithLeaderKey(signer, text);
    if (p.kind === 'tampered') {
      const at = pdf.indexOf(`lan ${p.index}`);
      if (at < 0) throw new Error('no signed text to tamper with');
      pdf[at] = 'L'.charCodeAt(0);
    }
    return pdf;
  };
  const one = async (p: PlannedDocument): Promise<Uploaded> => {
    const base = { index: p.index, kind: p.kind, issuer: p.issuer.agency, number: p.number };
    const client = context.as(p.issuer.agency);
    try {
      if (p.duplicateOf !== undefined) await announced.get(p.duplicateOf);
      const file = new Blob([new Uint8Array(await pdfFor(p))], { type: 'application/pdf' });
      let created: Awaited<ReturnType<typeof announceDocument>>;
      try {
        created = await announceDocument(client, request(p, context.notation), file);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 422 || error.status === 409)) {
          return { ...base, outcome: error.status === 422 ? 'REFUSED_422' : 'REFUSED_409' };
        }
        throw error;
      }
      await postUploadForm(created.upload, file, `${p.number}-${context.notation}.pdf`);
      return { ...base, id: created.id, uploadedAt: Date.now() };
    } catch (error) {
      return { ...base, error: describe(error) };
    } finally {
      settled.get(p.index)?.();
    }
  };
  let done = 0;
  await Promise.all(
    issuers.map(async (issuer) => {
      const mine = plan.filter((p) => p.issuer.agency === issuer.agency);
      let next = 0;
      await Promise.all(
        Array.from({ length: context.perAgency }, async () => {
          for (let p = mine[next++]; p !== undefined; p = mine[next++]) {
            results[p.index] = await one(p);
            done += 1;
            if (done % 50 === 0) context.print(`load: ${done}/${plan.length} announced`);
          }
        }),
      );
    }),
  );
  return results;
}

function request(p: PlannedDocument, notation: string): DocumentRequest {
  return {
    number: p.number,
    notation,
    typeCode: 'cong-van',
    subject: `Thử tải: văn bản ${p.index + 1}`,
    promulgationDate: vietnamToday(),
    signer: { name: 'Lãnh đạo (thử nghiệm)', position: 'Chánh Văn phòng' },
    urgency: 'normal',
    secrecy: p.kind === 'secret' ? 'mat' : 'none',
    recipients: RECIPIENTS.filter((r) => r !== p.issuer.agency).slice(0, 2),
  };
}

interface Seen {
  readonly status: DocumentStatus;
  readonly at: number;
}

/**
 * Reads each issuer's sent documents (newest first, since the run began) until every uploaded
 * document is listed in a terminal state: one paged list per agency per round instead of one
 * request per document. The terminal instant is the document's `updatedAt`.
 */
async function waitUntilTerminal(
  uploaded: readonly Uploaded[],
  issuers: readonly LocalLeaderKey[],
  context: {
    readonly notation: string;
    /** The run's start: documents created since. */
    readonly since: string;
    readonly as: (agency: string) => ApiClient;
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly print: (line: string) => void;
  },
): Promise<Map<string, Seen>> {
  const waiting = new Set(uploaded.flatMap((u) => (u.id === undefined ? [] : [u.id])));
  const seen = new Map<string, Seen>();
  const deadline = Date.now() + context.timeoutMs;
  while (waiting.size > 0 && Date.now() < deadline) {
    for (const issuer of issuers) {
      const client = context.as(issuer.agency);
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams({
          direction: 'sent',
          from: context.since,
          limit: '100',
        });
        if (cursor !== undefined) query.set('cursor', cursor);
        const page = await client.request('GET', `/documents?${query}`, {
          schema: documentPageSchema,
        });
        for (const d of page.items) {
          if (d.notation !== context.notation || !isTerminal(d.status)) continue;
          seen.set(d.id, { status: d.status, at: Date.parse(d.updatedAt) });
          waiting.delete(d.id);
        }
        cursor = page.cursor;
      } while (cursor !== undefined);
    }
    if (waiting.size > 0) {
      context.print(`load: ${waiting.size} documents not terminal yet`);
      await new Promise((resolve) => setTimeout(resolve, context.intervalMs));
    }
  }
  return seen;
}

/**
 * Each uploaded document's detail, read once: its status must be the listed terminal one, and a
 * rejection must carry the reason its kind calls for. Also checks that the lists hold no
 * document of the run that the client did not create.
 */
async function settle(
  uploaded: readonly Uploaded[],
  terminal: ReadonlyMap<string, Seen>,
  as: (agency: string) => ApiClient,
  mismatches: string[],
): Promise<LoadDocumentResult[]> {
  const ours = new Set(uploaded.flatMap((u) => (u.id === undefined ? [] : [u.id])));
  for (const id of terminal.keys()) {
    if (!ours.has(id)) mismatches.push(`document ${id} of the run was not created by the client`);
  }
  const results: LoadDocumentResult[] = [];
  let next = 0;
  const worker = async () => {
    for (let u = uploaded[next++]; u !== undefined; u = uploaded[next++]) {
      results.push(await settleOne(u, terminal, as, mismatches));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return results.sort((a, b) => a.index - b.index);
}

async function settleOne(
  u: Uploaded,
  terminal: ReadonlyMap<string, Seen>,
  as: (agency: string) => ApiClient,
  mismatches: string[],
): Promise<LoadDocumentResult> {
  const { uploadedAt, ...result } = u;
  const label = `document ${u.index + 1} (${u.kind}${u.id === undefined ? '' : `, ${u.id}`})`;
  if (u.error !== undefined) {
    mismatches.push(`${label}: ${u.error}`);
    return result;
  }
  if (u.id === undefined) {
    if (u.outcome !== EXPECTED_OUTCOME[u.kind]) {
      mismatches.push(
        `${label}: ${u.outcome ?? 'no outcome'}, ${EXPECTED_OUTCOME[u.kind]} expected`,
      );
    }
    return result;
  }
  const seen = terminal.get(u.id);
  if (seen === undefined) {
    mismatches.push(`${label}: never reached a terminal state`);
    return result;
  }
  const detail = await getDocument(as(u.issuer), u.id);
  if (detail.status !== seen.status) {
    mismatches.push(`${label}: listed ${seen.status}, read ${detail.status}`);
  }
  const outcome: LoadOutcome = detail.status === 'ROUTED' ? 'ROUTED' : 'REJECTED';
  if (!isTerminal(detail.status)) {
    mismatches.push(`${label}: ${detail.status} is not terminal`);
  } else if (outcome !== EXPECTED_OUTCOME[u.kind]) {
    const reasons = detail.rejectionReasons.map((r) => r.code).join(', ');
    mismatches.push(
      `${label}: ${detail.status} (${reasons}), ${EXPECTED_OUTCOME[u.kind]} expected`,
    );
  }
  const reason = EXPECTED_REASON[u.kind];
  if (reason !== undefined && !detail.rejectionReasons.some((r) => r.code === reason)) {
    mismatches.push(`${label}: rejected without ${reason}`);
  }
  return {
    ...result,
    outcome,
    ...(uploadedAt === undefined ? {} : { latencyMs: Math.max(0, seen.at - uploadedAt) }),
  };
}

/** The pipeline's dead-letter queues (verify, countersign, route) and their depth. */
async function deadLetterDepths(sqs: SQSClient): Promise<Record<string, number>> {
  const depths: Record<string, number> = {};
  for (const definition of [ingestQueue, countersignQueue, routeQueue]) {
    const QueueName = `${localName(definition.logicalName)}-dlq`;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    depths[QueueName] =
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return depths;
}

async function adminStats(target: LoadTarget, from: string, to: string): Promise<Stats> {
  const admin = new ApiClient(
    target.api,
    signDevToken(target.auth, { agency: RECIPIENTS[0], role: 'admin' }),
  );
  const query = new URLSearchParams({ from, to, groupBy: 'status' });
  return admin.request('GET', `/admin/stats?${query}`, { schema: statsSchema });
}

/** The figures of the run's window against the client's counts (a stack of its own). */
function compareStats(stats: Stats, observed: Readonly<Record<LoadOutcome, number>>): string[] {
  const mismatches: string[] = [];
  const created = observed.ROUTED + observed.REJECTED;
  if (!stats.complete) mismatches.push('the stats read stopped at its bound (complete: false)');
  if (stats.documents.total !== created) {
    mismatches.push(
      `stats count ${stats.documents.total} documents, the client created ${created}`,
    );
  }
  if (stats.documents.rejected !== observed.REJECTED) {
    mismatches.push(
      `stats count ${stats.documents.rejected} rejected, the client saw ${observed.REJECTED}`,
    );
  }
  const byStatus = new Map(
    stats.groups.flatMap((g) => ('status' in g ? [[g.status, g.documents] as const] : [])),
  );
  for (const status of ['ROUTED', 'REJECTED'] as const) {
    if ((byStatus.get(status) ?? 0) !== observed[status]) {
      mismatches.push(
        `stats group ${status} has ${byStatus.get(status) ?? 0}, the client saw ${observed[status]}`,
      );
    }
  }
  for (const [status, n] of byStatus) {
    if (status !== 'ROUTED' && status !== 'REJECTED' && n !== 0) {
      mismatches.push(`stats group ${status} has ${n} documents left in the window`);
    }
  }
  return mismatches;
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The summary lines `npm run load` prints. */
export function formatLoadReport(report: LoadReport): string[] {
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v)} ms`);
  return [
    `load: ${report.documents.length} documents in ${(report.elapsedMs / 1000).toFixed(1)} s ` +
      `(${report.documentsPerSecond.toFixed(2)} documents/s), notation ${report.notation}`,
    `load: upload → terminal median ${ms(report.medianMs)}, p95 ${ms(report.p95Ms)}`,
    `load: ${OUTCOMES.map((o) => `${o} ${report.observed[o]}/${report.expected[o]}`).join(', ')}`,
    ...(report.stats === undefined
      ? []
      : [
          `load: /admin/stats ${report.window.from} – ${report.window.to}: ` +
            `${report.stats.documents.total} documents, ${report.stats.documents.rejected} rejected`,
        ]),
    ...report.mismatches.map((m) => `MISMATCH ${m}`),
    report.mismatches.length === 0
      ? 'load: every check held'
      : `load: ${report.mismatches.length} checks failed`,
  ];
}

export interface RunningLoadTarget extends LoadTarget {
  stop(): Promise<void>;
}

/**
 * A local stack of its own on free ports, its state in a new temporary folder removed by
 * `stop`, without the axis (recipients are the province's agencies). Handlers log nothing unless
 * POWERTOOLS_LOG_LEVEL says otherwise.
 */
export async function startLoadStack(
  onError: (error: unknown) => void = (error) => console.error('local stack error:', error),
): Promise<RunningLoadTarget> {
  const { api, auth, reference, stack, stop } = await startTempStack({
    prefix: 'edoc-load-',
    onError,
  });
  return { api, auth, reference, awsEndpoint: stack.endpoints.aws, stop };
}
