import { createHash } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
import type { PollResult } from '#shared/axis/poll-axis.ts';
import { inboundDocumentId } from '#shared/axis/receive-package.ts';
import { deliveryPageSchema, receiptResultSchema } from '#shared/documents/api-schemas.ts';
import { parseEdxmlDocument } from '#shared/edxml/envelope.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import {
  DEPARTMENTS,
  PROVINCIAL_OFFICE,
  signAsLeader,
  signWithLeaderKey,
} from '../../scripts/demo.ts';
import { injectPackage, ministryPackage } from '../../scripts/local/axis-inbound.ts';
import { type DevAuth, signDevToken } from '../../scripts/local/dev-token.ts';
import { localCredentials, localRegion } from '../../scripts/local/emulators.ts';
import type { BatchResult } from '../../scripts/local/event-source-poller.ts';
import type { LocalReference } from '../../scripts/local/local-reference.ts';
import type { LocalStack } from '../../scripts/local/local-stack.ts';
import { startTempStack, type TempStack } from '../../scripts/local/temp-stack.ts';

/** Văn phòng Chính phủ and Bộ Thông tin và Truyền thông: national-axis agencies in the seed. */
const GOVERNMENT_OFFICE = '000.00.00.G01';
const MINISTRY_OF_INFORMATION = '000.00.00.G22';
const [FIRST_DEPARTMENT, SECOND_DEPARTMENT] = DEPARTMENTS;

let temp: TempStack | undefined;
let reference: LocalReference;
let auth: DevAuth;
let stack: LocalStack;
const polls: { result?: PollResult; error?: unknown }[] = [];
const sends: BatchResult[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  temp = await startTempStack({
    prefix: 'edoc-local-axis-',
    axis: {
      port: 0,
      pollSeconds: 1,
      answerDelayMs: 300,
      recordRequests: true,
      // A refused send is received again after one second instead of nine minutes.
      outboxQueueOverrides: { visibilityTimeoutSeconds: 1 },
      onPoll: (outcome) => polls.push(outcome),
      onSend: (result) => sends.push(result),
    },
    onError: (error) => errors.push(error),
  });
  ({ reference, auth, stack } = temp);
});

afterAll(async () => {
  await temp?.stop();
  vi.unstubAllEnvs();
});

function axis() {
  const running = stack.axis;
  if (running === undefined) throw new Error('the stack was started without the axis');
  return running;
}

const api = (agency: string) =>
  new ApiClient(stack.endpoints.api ?? '', signDevToken(auth, { agency }));

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pollResults = () => polls.flatMap((p) => (p.result === undefined ? [] : [p.result]));

function letterTo(recipients: string[], number: number): DocumentRequest {
  return {
    number,
    notation: 'UBND-KGVX',
    typeCode: 'cong-van',
    subject: 'Gửi văn bản điện tử qua trục liên thông quốc gia',
    promulgationDate: vietnamToday(),
    signer: { name: 'Lãnh đạo (thử nghiệm)', position: 'Chánh Văn phòng' },
    urgency: 'normal',
    secrecy: 'none',
    recipients,
  };
}

/** Announces, uploads and follows a leader-signed letter of the Provincial Office to ROUTED. */
async function sendFromOffice(recipients: string[], number: number) {
  const office = api(PROVINCIAL_OFFICE);
  const pdf = await signAsLeader(reference, PROVINCIAL_OFFICE, `Cong van ${number}/UBND-KGVX`);
  const file = new Blob([new Uint8Array(pdf)], { type: 'application/pdf' });
  const created = await announceDocument(office, letterTo(recipients, number), file);
  await postUploadForm(created.upload, file, `${number}.pdf`);
  return followDocument(office, created.id, { intervalMs: 100, timeoutMs: 30_000 });
}

async function deliveryState(documentId: string, recipient: string) {
  const detail = await getDocument(api(PROVINCIAL_OFFICE), documentId);
  return detail.deliveries.find((d) => d.recipient === recipient)?.state;
}

/** A one-page letter signed with the ministry's local leader key, as axis-inbound signs it. */
async function signedByMinistry(ministry: string, text: string): Promise<Buffer> {
  const leader = reference.axisSenders.find((l) => l.agency === ministry);
  if (leader === undefined) throw new Error(`no local leader key for ${ministry}`);
  return signWithLeaderKey(leader, text);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the national axis on the local stack', () => {
  it('sends a leader-signed letter to a department and a ministry; the ministry answers 01 then 03', async () => {
    const detail = await sendFromOffice([FIRST_DEPARTMENT, GOVERNMENT_OFFICE], 1808);

    expect(detail.status, JSON.stringify(detail.rejectionReasons)).toBe('ROUTED');
    expect(detail.deliveries.find((d) => d.recipient === FIRST_DEPARTMENT)?.state).toBe('SENT');
    const answered = await waitFor('the ministry to answer 03', async () => {
      const state = await deliveryState(detail.id, GOVERNMENT_OFFICE);
      return state === '03' ? state : undefined;
    });
    expect(answered).toBe('03');
    const applied = pollResults()
      .flatMap((r) => r.statuses)
      .flatMap((s) => (s.outcome.kind === 'applied' ? [s.outcome] : []))
      .filter((o) => o.documentId === detail.id && o.recipient === GOVERNMENT_OFFICE);
    expect(applied.map((o) => [o.from, o.code])).toEqual([
      ['SENT', '01'],
      ['01', '03'],
    ]);

    const sent = axis().standIn.sent.filter((s) => s.to === GOVERNMENT_OFFICE);
    expect(sent).toHaveLength(1);
    const [edxml] = sent;
    if (edxml === undefined) throw new Error('nothing sent to the ministry');
    const parsed = parseEdxmlDocument(edxml.body);
    expect(parsed.MessageHeader.To.map((t) => t.OrganId)).toContain(GOVERNMENT_OFFICE);
    const posts = axis().standIn.requests.filter(
      (r) => r.route === 'send' && r.body.equals(edxml.body),
    );
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      expect(post.headers['hash-file']).toBe(sha256(post.body));
      expect(post.authentic).toBe(true);
    }
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    const link = await api(PROVINCIAL_OFFICE).redirect(`/documents/${detail.id}/file`);
    const countersigned = Buffer.from(await (await fetch(link)).arrayBuffer());
    expect(attachment?.sha256).toBe(sha256(countersigned));
    expect(Buffer.compare(attachment?.content ?? Buffer.alloc(0), countersigned)).toBe(0);
    const report = validatePdf(countersigned, {
      ...(await loadTrust(reference.trustDir)),
      validationTime: new Date(),
    });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures).toHaveLength(2);
  });

  it("delivers a ministry's package to the addressed department, answers 01, and carries its 03 back", async () => {
    const edxml = await ministryPackage(reference, {
      from: GOVERNMENT_OFFICE,
      to: [SECOND_DEPARTMENT],
      number: '2887',
      notation: 'VPCP-KSTT',
      subject: 'Về việc gửi, nhận văn bản điện tử',
    });
    const axisDocumentId = parseEdxmlDocument(edxml).MessageHeader.DocumentId;

    const docId = await injectPackage(axis().standIn.origin, edxml);

    const received = await waitFor('the poller to receive the package', () =>
      pollResults()
        .flatMap((r) => r.received)
        .find((r) => r.docId === docId),
    );
    const department = api(SECOND_DEPARTMENT);
    const inbox = await department.request('GET', '/inbox', { schema: deliveryPageSchema });
    expect(inbox.items.find((d) => d.documentId === received.documentId)).toMatchObject({
      recipient: SECOND_DEPARTMENT,
      channel: 'national-axis',
      state: '01',
    });
    const arrived = axis().standIn.statuses.filter(
      (s) => s.ResponseFor.DocumentId === axisDocumentId,
    );
    expect(arrived.map((s) => [s.StatusCode, s.From.OrganId])).toEqual([['01', SECOND_DEPARTMENT]]);
    expect(axis().standIn.waitingIds()).not.toContain(docId);

    const accepted = await department.request(
      'POST',
      `/documents/${received.documentId}/receipts`,
      {
        body: { code: '03' },
        schema: receiptResultSchema,
      },
    );

    expect(accepted.state).toBe('03');
    const reported = await waitFor('the 03 to reach the axis', () =>
      axis().standIn.statuses.find(
        (s) => s.ResponseFor.DocumentId === axisDocumentId && s.StatusCode === '03',
      ),
    );
    expect(reported.From.OrganId).toBe(SECOND_DEPARTMENT);
    expect(reported.to).toBe(GOVERNMENT_OFFICE);
  });

  it('refuses with 02 and its reason a package whose attachment signature is tampered, delivering it to nobody', async () => {
    const pdf = await signedByMinistry(MINISTRY_OF_INFORMATION, 'Cong van 77/BTTTT-CBT');
    const at = pdf.indexOf('77/BTTTT');
    expect(at).toBeGreaterThan(0);
    pdf[at] = '8'.charCodeAt(0);
    const edxml = await ministryPackage(reference, {
      from: MINISTRY_OF_INFORMATION,
      to: [FIRST_DEPARTMENT],
      number: '77',
      notation: 'BTTTT-CBT',
      subject: 'Văn bản bị sửa sau khi ký',
      pdf,
    });
    const axisDocumentId = parseEdxmlDocument(edxml).MessageHeader.DocumentId;

    const docId = await injectPackage(axis().standIn.origin, edxml);

    const refused = await waitFor('the poller to refuse the package', () =>
      pollResults()
        .flatMap((r) => r.refused)
        .find((r) => r.docId === docId),
    );
    expect(refused.reason).toMatch(/^invalid signature: /);
    const answers = axis().standIn.statuses.filter(
      (s) => s.ResponseFor.DocumentId === axisDocumentId,
    );
    expect(answers.map((s) => [s.StatusCode, s.From.OrganId])).toEqual([['02', FIRST_DEPARTMENT]]);
    expect(answers[0]?.Description).toContain('invalid signature');
    const documentId = inboundDocumentId(docId);
    for (const agency of DEPARTMENTS) {
      const inbox = await api(agency).request('GET', '/inbox', { schema: deliveryPageSchema });
      expect(inbox.items.map((d) => d.documentId)).not.toContain(documentId);
    }
    const lookup = await getDocument(api(FIRST_DEPARTMENT), documentId).catch((e: unknown) => e);
    expect(lookup).toBeInstanceOf(ApiError);
    expect(lookup instanceof ApiError ? lookup.status : undefined).toBe(404);
  });

  it('retries a send the axis answers 503 until it goes through, with nothing parked', async () => {
    axis().standIn.failNext('send', { kind: 'http', status: 503 }, 2);

    const detail = await sendFromOffice([MINISTRY_OF_INFORMATION], 1811);

    expect(detail.status, JSON.stringify(detail.rejectionReasons)).toBe('ROUTED');
    await waitFor('the ministry delivery to be SENT', async () => {
      const state = await deliveryState(detail.id, MINISTRY_OF_INFORMATION);
      return state !== undefined && state !== 'PENDING' ? state : undefined;
    });
    const attempts = sends.flatMap((batch) =>
      batch.records
        .filter((r) => r.body.includes(detail.id))
        .map((r) => (batch.failed.includes(r.messageId) ? 'failed' : 'succeeded')),
    );
    expect(attempts).toEqual(['failed', 'failed', 'succeeded']);
    expect(axis().standIn.sent.filter((s) => s.to === MINISTRY_OF_INFORMATION)).toHaveLength(1);
    const sqs = new SQSClient({
      region: localRegion,
      credentials: localCredentials,
      endpoint: stack.endpoints.aws,
    });
    const parked = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: axis().deadLetterQueue.url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    sqs.destroy();
    expect(parked.Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(errors).toEqual([]);
  });
});
