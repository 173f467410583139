import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient, ApiError } from '#cli/api-client.ts';
import {
  announceDocument,
  type DocumentRequest,
  followDocument,
  getDocument,
  postUploadForm,
  vietnamToday,
} from '#cli/upload.ts';
import { loadTrust } from '#functions/lib/trust.ts';
import {
  approvalListSchema,
  approvalResultSchema,
  deliveryPageSchema,
  receiptResultSchema,
  reportListSchema,
  rolloutViewSchema,
} from '#shared/documents/api-schemas.ts';
import { parseSchedule } from '#shared/rollout/schedule.ts';
import { stateMachineInput } from '#shared/rollout/state-machine-input.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { countersignPdf } from '#signature/countersign.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { type DevAuth, signDevToken } from './local/dev-token.ts';
import type { LocalLeaderKey, LocalReference } from './local/local-reference.ts';
import type { RolloutRunner } from './local/rollout-runner.ts';
import { startTempStack } from './local/temp-stack.ts';

/** The Provincial Office (Văn phòng UBND tỉnh) in the seed directory. */
export const PROVINCIAL_OFFICE = '000.00.01.H48';
/** Sở Thông tin và Truyền thông and Sở Nội vụ: two departments with provincial inboxes. */
export const DEPARTMENTS = ['000.00.08.H48', '000.00.02.H48'] as const;

/** A running local stack the demo talks to over HTTP, and what signs its tokens and documents. */
export interface DemoEnvironment {
  readonly api: string;
  readonly auth: DevAuth;
  readonly reference: LocalReference;
  /** The local Step Functions behind the API's approvals; the rollout step needs it. */
  readonly rollout?: RolloutRunner;
}

/** The schedule the rollout step runs. */
const ROLLOUT_SCHEDULE = fileURLToPath(
  new URL('../shared/rollout/schedules/quang-ngai-2019.json', import.meta.url),
);
/** Compressed time of the rollout step: each Wait state pauses this long. */
const ROLLOUT_WAIT_MS = 300;

export interface RunningDemoEnvironment extends DemoEnvironment {
  /** The temporary state folder (`jwt-secret`, `keys/`, `trust/`, `directory.json`). */
  readonly stateDir: string;
  stop(): Promise<void>;
}

export interface DemoStep {
  readonly title: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DemoResult {
  /** Every step behaved as expected. */
  readonly ok: boolean;
  readonly steps: readonly DemoStep[];
}

/** The step did something other than the story expects. */
class UnexpectedOutcomeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedOutcomeError';
  }
}

function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new UnexpectedOutcomeError(message);
}

/**
 * A local stack on free ports with its state (keys, trust, directory, tables) in a new temporary
 * folder, removed by `stop`. Handlers log nothing unless POWERTOOLS_LOG_LEVEL says otherwise.
 */
export async function startDemoStack(
  onError: (error: unknown) => void = (error) => console.error('local stack error:', error),
): Promise<RunningDemoEnvironment> {
  const { api, stack, stateDir, auth, reference, stop } = await startTempStack({
    prefix: 'edoc-demo-',
    rollout: { waitMs: ROLLOUT_WAIT_MS },
    onError,
  });
  return {
    api,
    ...(stack.rollout ? { rollout: stack.rollout.runner } : {}),
    stateDir,
    auth,
    reference,
    stop,
  };
}

/** A one-page PDF with a line of (ASCII) text, before any signature. */
export function plainPdf(text: string): Buffer {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 14 Tf 72 760 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** `text` as a PDF signed by the local leader key of `agency` (a PAdES signature). */
export async function signAsLeader(
  reference: LocalReference,
  agency: string,
  text: string,
): Promise<Buffer> {
  const leader = reference.leaders.find((l) => l.agency === agency);
  if (leader === undefined) throw new Error(`no local leader key for ${agency}`);
  return signWithLeaderKey(leader, text);
}

/** `text` as a one-page PDF signed (PAdES) with a local leader key, as a leader issues it. */
export async function signWithLeaderKey(leader: LocalLeaderKey, text: string): Promise<Buffer> {
  const { pdf } = await countersignPdf(plainPdf(text), {
    signer: new FileSigner(await readFile(leader.keyFile, 'latin1')),
    certificateChain: parsePemBundle(await readFile(leader.chainFile, 'latin1')),
    reason: 'Lãnh đạo ký ban hành',
  });
  return pdf;
}

/**
 * The story of 1808/UBND-KGVX on a local stack, through the real HTTP API: the Provincial Office
 * sends a leader-signed letter to two departments (ROUTED, countersigned, downloadable and valid),
 * a tampered copy is rejected with its reason, a secret one is refused with 422, and a recipient
 * reports 01 then 03. Starts (and stops) a stack of its own unless given one. Never throws for a
 * step that misbehaves: it is marked ✗ and `ok` is false.
 */
export async function runDemo(
  options: { readonly environment?: DemoEnvironment; readonly print?: (line: string) => void } = {},
): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const steps: DemoStep[] = [];
  const check = async <T>(
    title: string,
    run: () => Promise<readonly [T, string]>,
  ): Promise<T | undefined> => {
    try {
      const [value, detail] = await run();
      steps.push({ title, ok: true, detail });
      print(`✓ ${title}: ${detail}`);
      return value;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      steps.push({ title, ok: false, detail });
      print(`✗ ${title}: ${detail}`);
      return undefined;
    }
  };

  let owned: RunningDemoEnvironment | undefined;
  const environment =
    options.environment ??
    (await check('start a local stack on free ports', async () => {
      owned = await startDemoStack();
      return [owned, `API at ${owned.api}`] as const;
    }));
  try {
    if (environment !== undefined) await story(environment, check, print);
  } finally {
    await owned?.stop();
  }
  return { ok: steps.length > 0 && steps.every((s) => s.ok), steps };
}

type Check = <T>(title: string, run: () => Promise<readonly [T, string]>) => Promise<T | undefined>;

async function story(
  { api, auth, reference, rollout }: DemoEnvironment,
  check: Check,
  print: (line: string) => void,
): Promise<void> {
  const as = (agency: string) => new ApiClient(api, signDevToken(auth, { agency }));
  const office = as(PROVINCIAL_OFFICE);
  const [firstDepartment, secondDepartment] = DEPARTMENTS;
  const recipient = as(secondDepartment);
  const request = (number: number, overrides: Partial<DocumentRequest> = {}): DocumentRequest => ({
    number,
    notation: 'UBND-KGVX',
    typeCode: 'cong-van',
    subject: 'Về việc triển khai gửi, nhận văn bản điện tử có ký số',
    promulgationDate: vietnamToday(),
    signer: { name: 'Lãnh đạo (thử nghiệm)', position: 'Chánh Văn phòng' },
    urgency: 'normal',
    secrecy: 'none',
    recipients: [...DEPARTMENTS],
    ...overrides,
  });
  const send = async (pdf: Buffer, body: DocumentRequest) => {
    const file = new Blob([pdf], { type: 'application/pdf' });
    const created = await announceDocument(office, body, file);
    await postUploadForm(created.upload, file, `${body.number}-${body.notation}.pdf`);
    return followDocument(office, created.id, {
      intervalMs: 250,
      timeoutMs: 60_000,
      onEntry: (e) => print(`    ${e.status.padEnd(16)} ${e.at}  ${e.actor}`),
    });
  };

  const letter = await check('the Provincial Office leader signs letter 1808', async () => {
    const pdf = await signAsLeader(reference, PROVINCIAL_OFFICE, 'Cong van 1808/UBND-KGVX');
    return [pdf, `${pdf.length} bytes, signed with the local leader key`] as const;
  });

  const routedId = await check(
    `1808/UBND-KGVX goes to ${firstDepartment} and ${secondDepartment} and is ROUTED`,
    async () => {
      expectThat(letter !== undefined, 'no signed letter');
      const detail = await send(letter, request(1808));
      expectThat(
        detail.status === 'ROUTED',
        `ended ${detail.status} ${JSON.stringify(detail.rejectionReasons)}`,
      );
      expectThat(detail.countersigned, 'not countersigned');
      const delivered = detail.deliveries.filter((d) => d.state === 'SENT').map((d) => d.recipient);
      expectThat(
        DEPARTMENTS.every((d) => delivered.includes(d)),
        `delivered only to ${delivered.join(', ') || 'nobody'}`,
      );
      return [detail.id, `document ${detail.id}, sent to ${delivered.join(' and ')}`] as const;
    },
  );

  await check(
    `${secondDepartment} downloads it: leader and organization signatures valid`,
    async () => {
      expectThat(routedId !== undefined, 'no routed document');
      const link = await recipient.redirect(`/documents/${routedId}/file`);
      const response = await fetch(link, { signal: AbortSignal.timeout(30_000) });
      expectThat(response.ok, `download answered ${response.status}`);
      const pdf = Buffer.from(await response.arrayBuffer());
      const report = validatePdf(pdf, {
        ...(await loadTrust(reference.trustDir)),
        validationTime: new Date(),
      });
      const signers = report.signatures.map((s) => s.signer?.organization ?? '?');
      expectThat(report.indication === 'TOTAL_PASSED', `${report.indication}: ${report.reasons}`);
      expectThat(signers.length === 2, `${signers.length} signatures`);
      return [undefined, `${report.indication}, signed by ${signers.join(' then ')}`] as const;
    },
  );

  await check('a tampered copy (1808 changed to 1809 after signing) is REJECTED', async () => {
    const pdf = await signAsLeader(reference, PROVINCIAL_OFFICE, 'Cong van 1808/UBND-KGVX');
    const at = pdf.indexOf('1808/UBND-KGVX');
    expectThat(at >= 0, 'no text to tamper with');
    pdf[at + 3] = '9'.charCodeAt(0);
    const detail = await send(pdf, request(1809));
    expectThat(detail.status === 'REJECTED', `ended ${detail.status}`);
    expectThat(!detail.countersigned, 'countersigned anyway');
    const reasons = detail.rejectionReasons.map((r) => `${r.code} (${r.message})`);
    expectThat(
      detail.rejectionReasons.some((r) => r.code === 'SIGNATURE_TOTAL_FAILED'),
      `reasons: ${reasons.join('; ') || 'none'}`,
    );
    return [undefined, reasons.join('; ')] as const;
  });

  await check('a document marked Mật is refused with 422', async () => {
    const pdf = await signAsLeader(reference, PROVINCIAL_OFFICE, 'Cong van 1810/UBND-KGVX');
    try {
      await announceDocument(office, request(1810, { secrecy: 'mat' }), new Blob([pdf]));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      expectThat(error.status === 422, `answered ${error.status} ${error.code}`);
      return [undefined, `${error.code}`] as const;
    }
    throw new UnexpectedOutcomeError('the secret document was accepted');
  });

  await check(`${secondDepartment} finds it in its inbox and reports 01 then 03`, async () => {
    expectThat(routedId !== undefined, 'no routed document');
    const inbox = await recipient.request('GET', '/inbox', { schema: deliveryPageSchema });
    expectThat(
      inbox.items.some((d) => d.documentId === routedId && d.state === 'SENT'),
      'not in the inbox as SENT',
    );
    for (const code of ['01', '03'] as const) {
      const result = await recipient.request('POST', `/documents/${routedId}/receipts`, {
        body: { code },
        schema: receiptResultSchema,
      });
      expectThat(result.state === code, `delivery is ${result.state} after reporting ${code}`);
    }
    const detail = await getDocument(office, routedId);
    const state = detail.deliveries.find((d) => d.recipient === secondDepartment)?.state;
    expectThat(state === '03', `the issuer sees ${state ?? 'no delivery'}`);
    return [undefined, 'the Provincial Office sees the delivery as 03 (accepted)'] as const;
  });

  await check(
    'the 2019 rollout advances phase by phase, each report approved by an administrator',
    async () => {
      expectThat(rollout !== undefined, 'the stack runs no rollout state machine');
      const admin = new ApiClient(
        api,
        signDevToken(auth, { agency: PROVINCIAL_OFFICE, role: 'admin' }),
      );
      const schedule = parseSchedule(JSON.parse(await readFile(ROLLOUT_SCHEDULE, 'utf8')));
      const execution = rollout.start(stateMachineInput(schedule), { name: schedule.id });
      for (const phase of schedule.phases.filter((p) => p.report !== undefined)) {
        const asked = await execution.nextApproval();
        expectThat(asked.phaseId === phase.id, `asked about ${asked.phaseId}, not ${phase.id}`);
        const view = await admin.request('GET', '/admin/rollout', { schema: rolloutViewSchema });
        expectThat(view.phaseId === phase.id, `${view.phaseId} in force during ${phase.id}`);
        const pending = await admin.request('GET', '/admin/approvals', {
          schema: approvalListSchema,
        });
        const report = pending.items.find((a) => a.phaseId === phase.id)?.reportKeys.html;
        expectThat(report !== undefined, `no report of ${phase.id} waits for a decision`);
        const decided = await admin.request('POST', `/admin/approvals/${phase.id}`, {
          body: { decision: 'approved' },
          schema: approvalResultSchema,
        });
        print(
          `    ${phase.id.padEnd(20)} in force (channels ${view.policy.channelsOpen.join(', ')}), ${report} ${decided.decision}`,
        );
      }
      const outcome = await execution.result;
      expectThat(outcome.status === 'SUCCEEDED', `the execution ended ${outcome.status}`);
      const final = await admin.request('GET', '/admin/rollout', { schema: rolloutViewSchema });
      const last = schedule.phases.at(-1)?.id;
      expectThat(final.phaseId === last, `${final.phaseId} in force at the end`);
      const reports = await admin.request('GET', `/admin/reports?scheduleId=${schedule.id}`, {
        schema: reportListSchema,
      });
      expectThat(reports.items.length > 0, 'no report listed');
      print(`    ${final.phaseId.padEnd(20)} in force (open-ended)`);
      return [
        undefined,
        `${final.phaseId} in force; ${reports.items.length} report files (JSON, CSV, HTML)`,
      ] as const;
    },
  );
}

async function main(): Promise<void> {
  console.log('edoc-hub demo: 1808/UBND-KGVX on a local stack, through the HTTP API\n');
  const result = await runDemo();
  const failed = result.steps.filter((s) => !s.ok).length;
  console.log(
    failed === 0
      ? `\nall ${result.steps.length} steps behaved as expected`
      : `\n${failed} of ${result.steps.length} steps did not behave as expected`,
  );
  process.exitCode = result.ok ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
