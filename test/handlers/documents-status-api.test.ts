import { randomUUID } from 'node:crypto';
import {
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { APPROVAL_PK, DynamoDbRolloutStore } from '#adapters/dynamodb-rollout-store.ts';
import { API_OPERATIONS } from '#shared/documents/api-contract.ts';
import {
  approvalListSchema,
  approvalResultSchema,
  deliveryPageSchema,
  documentDetailSchema,
  documentPageSchema,
  errorEnvelopeSchema,
  recallResultSchema,
  receiptResultSchema,
} from '#shared/documents/api-schemas.ts';
import type { PendingApproval } from '#shared/rollout/rollout-ports.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { documentsApiEnv, type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';
import {
  makeDocumentSeeder,
  SEEDED_PDF,
  SEEDED_SIGNER,
  type SeedOptions,
} from '#test/support/seed-documents.ts';

const ISSUER = '000.00.08.H48';
const RECIPIENT = '000.00.00.H48';
const OTHER = '000.00.09.H48';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:rollout';

const sfn = mockClient(SFNClient);
let aws: HandlerEnv;
let seed: ReturnType<typeof makeDocumentSeeder>;
let handler: typeof import('#functions/documents-api.ts').handler;

beforeAll(async () => {
  aws = await startHandlerEnv({
    buckets: ['incoming'],
    env: () => documentsApiEnv({ STATE_MACHINE_ARN }),
  });
  seed = makeDocumentSeeder({ repository: aws.repository, s3: aws.s3, bucket: 'incoming' });
  ({ handler } = await import('#functions/documents-api.ts'));
});

afterAll(() => aws.stop());

beforeEach(() => {
  sfn.reset();
});

const agency = (code: string) => ({
  sub: `user-${code}`,
  'custom:agency': code,
  'custom:role': 'agency',
});
const admin = { sub: 'admin-1', 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' };

async function call(options: HttpEventOptions) {
  const response = await handler(makeHttpEvent(options), makeLambdaContext('documents-api'));
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: response.body ? (JSON.parse(response.body) as unknown) : undefined,
  };
}

const errorCode = (body: unknown) => errorEnvelopeSchema.parse(body).error.code;

/** A document taken through the pipeline's writes, sent by ISSUER to RECIPIENT unless told. */
const seedDocument = (options: Partial<SeedOptions> = {}) =>
  seed({ issuer: ISSUER, recipients: [RECIPIENT], ...options });

describe('GET /documents/{id} and its file: who may see what', () => {
  it('shows the issuer every delivery and a recipient only its own', async () => {
    const id = await seedDocument({ recipients: [RECIPIENT, OTHER] });

    const asIssuer = await call({ method: 'GET', path: `/documents/${id}` });
    const asRecipient = await call({
      method: 'GET',
      path: `/documents/${id}`,
      claims: agency(RECIPIENT),
    });

    expect(asIssuer.status).toBe(200);
    const detail = documentDetailSchema.parse(asIssuer.body);
    expect(detail).toMatchObject({
      id,
      issuer: ISSUER,
      status: 'ROUTED',
      countersigned: true,
      paperCopy: { required: false, recipients: [] },
      rejectionReasons: [],
      verification: {
        indication: 'TOTAL_PASSED',
        signatures: [
          expect.objectContaining({ signer: SEEDED_SIGNER, indication: 'TOTAL_PASSED' }),
        ],
      },
    });
    expect(detail.history.map((h) => h.status)).toEqual([
      'AWAITING_UPLOAD',
      'UPLOADED',
      'VERIFIED',
      'COUNTERSIGNED',
      'ROUTED',
    ]);
    expect(detail.deliveries.map((d) => d.recipient).sort()).toEqual([RECIPIENT, OTHER].sort());
    expect(asRecipient.status).toBe(200);
    expect(documentDetailSchema.parse(asRecipient.body).deliveries).toEqual([
      expect.objectContaining({ recipient: RECIPIENT, state: 'SENT' }),
    ]);
  });

  it('answers 404 to another agency, exactly as for an unknown id, and 200 to an administrator', async () => {
    const id = await seedDocument();
    const unknown = randomUUID();

    const stranger = await call({ method: 'GET', path: `/documents/${id}`, claims: agency(OTHER) });
    const missing = await call({
      method: 'GET',
      path: `/documents/${unknown}`,
      claims: agency(OTHER),
    });
    const asAdmin = await call({ method: 'GET', path: `/documents/${id}`, claims: admin });

    expect(stranger.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(stranger.body).replace(id, '<id>')).toBe(
      JSON.stringify(missing.body).replace(unknown, '<id>'),
    );
    expect(errorCode(stranger.body)).toBe('DOCUMENT_NOT_FOUND');
    expect(asAdmin.status).toBe(200);
    expect(documentDetailSchema.parse(asAdmin.body).deliveries).toHaveLength(1);
  });

  it('redirects issuer and recipient to a five-minute signed link that serves the countersigned PDF', async () => {
    const id = await seedDocument();

    for (const claims of [agency(ISSUER), agency(RECIPIENT)]) {
      const response = await call({ method: 'GET', path: `/documents/${id}/file`, claims });

      expect(response.status).toBe(302);
      const location = new URL(String(response.headers['Location']));
      expect(location.pathname).toBe(`/incoming/countersigned/${ISSUER}/${id}.pdf`);
      expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
      const download = await fetch(location);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(SEEDED_PDF);
    }
  });

  it('keeps the file from strangers (404) and administrators (403), and answers 409 before countersigning', async () => {
    const id = await seedDocument();
    const pending = await seedDocument({ stage: 'VERIFIED' });

    const stranger = await call({
      method: 'GET',
      path: `/documents/${id}/file`,
      claims: agency(OTHER),
    });
    const asAdmin = await call({ method: 'GET', path: `/documents/${id}/file`, claims: admin });
    const early = await call({ method: 'GET', path: `/documents/${pending}/file` });

    expect(stranger.status).toBe(404);
    expect(asAdmin.status).toBe(403);
    expect(early.status).toBe(409);
    expect(errorCode(early.body)).toBe('NOT_COUNTERSIGNED');
  });
});

describe('lists', () => {
  it('pages through sent documents newest first with an opaque cursor', async () => {
    const issuer = '000.00.20.H48';
    const ids: string[] = [];
    for (let day = 10; day <= 14; day += 1) {
      ids.push(await seedDocument({ issuer, createdAt: `2019-05-${day}T03:00:00.000Z` }));
    }
    await seedDocument({ issuer: '000.00.21.H48' });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await call({
        method: 'GET',
        path: '/documents',
        query: { direction: 'sent', limit: '2', ...(cursor ? { cursor } : {}) },
        claims: agency(issuer),
      });
      expect(response.status).toBe(200);
      const page = documentPageSchema.parse(response.body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items.every((d) => d.issuer === issuer)).toBe(true);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.cursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages += 1;
    } while (cursor && pages < 10);

    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('filters by status and by an inclusive date range', async () => {
    const issuer = '000.00.22.H48';
    const early = await seedDocument({ issuer, createdAt: '2019-05-01T03:00:00.000Z' });
    const routed = await seedDocument({ issuer, createdAt: '2019-05-02T03:00:00.000Z' });
    const verified = await seedDocument({
      issuer,
      createdAt: '2019-05-03T03:00:00.000Z',
      stage: 'VERIFIED',
    });

    const byStatus = await call({
      method: 'GET',
      path: '/documents',
      query: { status: 'VERIFIED' },
      claims: agency(issuer),
    });
    const byDate = await call({
      method: 'GET',
      path: '/documents',
      query: { from: '2019-05-02', to: '2019-05-03' },
      claims: agency(issuer),
    });

    expect(documentPageSchema.parse(byStatus.body).items.map((d) => d.id)).toEqual([verified]);
    expect(documentPageSchema.parse(byDate.body).items.map((d) => d.id)).toEqual([
      verified,
      routed,
    ]);
    expect(documentPageSchema.parse(byDate.body).items.map((d) => d.id)).not.toContain(early);
  });

  it('refuses a tampered cursor, another agency’s cursor, a limit over 100 and an unknown status', async () => {
    const issuer = '000.00.23.H48';
    await seedDocument({ issuer });
    await seedDocument({ issuer });
    const first = await call({
      method: 'GET',
      path: '/documents',
      query: { limit: '1' },
      claims: agency(issuer),
    });
    const cursor = documentPageSchema.parse(first.body).cursor ?? '';
    expect(cursor).not.toBe('');

    const forged = Buffer.from(JSON.stringify({ pk: 'DOC#x', sk: 'DOC' })).toString('base64url');
    const answers = await Promise.all([
      call({
        method: 'GET',
        path: '/documents',
        query: { cursor: `${cursor}!` },
        claims: agency(issuer),
      }),
      call({
        method: 'GET',
        path: '/documents',
        query: { cursor: forged },
        claims: agency(issuer),
      }),
      call({ method: 'GET', path: '/documents', query: { cursor }, claims: agency(OTHER) }),
      call({ method: 'GET', path: '/documents', query: { limit: '101' }, claims: agency(issuer) }),
      call({
        method: 'GET',
        path: '/documents',
        query: { status: 'LOST' },
        claims: agency(issuer),
      }),
      call({ method: 'GET', path: '/documents', query: { status: '01' }, claims: agency(issuer) }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(answers.slice(0, 3).map((a) => errorCode(a.body))).toEqual([
      'INVALID_CURSOR',
      'INVALID_CURSOR',
      'INVALID_CURSOR',
    ]);
    expect(errorEnvelopeSchema.parse(answers[3]?.body).error.details).toEqual([
      { field: 'limit', message: expect.any(String) },
    ]);
  });

  it('lists received documents and the inbox, newest delivery first', async () => {
    const recipient = '000.00.24.H48';
    const older = await seedDocument({
      recipients: [recipient],
      createdAt: '2019-05-05T03:00:00.000Z',
    });
    const newer = await seedDocument({
      recipients: [recipient],
      createdAt: '2019-05-06T03:00:00.000Z',
    });

    const inbox = await call({ method: 'GET', path: '/inbox', claims: agency(recipient) });
    const received = await call({
      method: 'GET',
      path: '/documents',
      query: { direction: 'received', status: 'SENT' },
      claims: agency(recipient),
    });

    expect(inbox.status).toBe(200);
    const page = deliveryPageSchema.parse(inbox.body);
    expect(page.items.map((d) => d.documentId)).toEqual([newer, older]);
    expect(page.items[0]).toMatchObject({
      recipient,
      state: 'SENT',
      deliveredAt: '2019-05-06T03:00:00.000Z',
    });
    expect(deliveryPageSchema.parse(received.body).items.map((d) => d.documentId)).toEqual([
      newer,
      older,
    ]);
  });

  it('lets administrators list any agency, and no one else', async () => {
    const issuer = '000.00.25.H48';
    const id = await seedDocument({ issuer });

    const asAdmin = await call({
      method: 'GET',
      path: '/admin/documents',
      query: { agency: issuer },
      claims: admin,
    });
    const asAgency = await call({
      method: 'GET',
      path: '/admin/documents',
      query: { agency: issuer },
    });
    const noAgency = await call({ method: 'GET', path: '/admin/documents', claims: admin });

    expect(documentPageSchema.parse(asAdmin.body).items.map((d) => d.id)).toEqual([id]);
    expect(asAgency.status).toBe(403);
    expect(noAgency.status).toBe(400);
    expect(errorEnvelopeSchema.parse(noAgency.body).error.details).toEqual([
      { field: 'agency', message: 'is required' },
    ]);
  });
});

describe('receipts and recall', () => {
  const receipt = (id: string, body: unknown, claims = agency(RECIPIENT)) =>
    call({ method: 'POST', path: `/documents/${id}/receipts`, body, claims });

  it('takes 01 then 03 from the recipient, and no step back to 01 after 03', async () => {
    const id = await seedDocument();

    const arrived = await receipt(id, { code: '01' });
    const accepted = await receipt(id, { code: '03' });
    const back = await receipt(id, { code: '01' });

    expect(arrived.status).toBe(200);
    expect(receiptResultSchema.parse(arrived.body)).toMatchObject({
      recipient: RECIPIENT,
      state: '01',
    });
    expect(accepted.status).toBe(200);
    expect(receiptResultSchema.parse(accepted.body)).toMatchObject({ state: '03' });
    expect(back.status).toBe(409);
    expect(errorCode(back.body)).toBe('INVALID_TRANSITION');
    expect((await aws.repository.deliveries(id))[0]).toMatchObject({ state: '03' });
  });

  it('requires a reason with 02 and refuses 03 after it (409)', async () => {
    const id = await seedDocument();

    const bare = await receipt(id, { code: '02' });
    const refused = await receipt(id, { code: '02', reason: 'Không thuộc thẩm quyền' });
    const late = await receipt(id, { code: '03' });

    expect(bare.status).toBe(400);
    expect(errorEnvelopeSchema.parse(bare.body).error.details).toEqual([
      { field: 'reason', message: 'is required' },
    ]);
    expect(refused.status).toBe(200);
    expect(late.status).toBe(409);
    expect(errorCode(late.body)).toBe('INVALID_TRANSITION');
    expect((await aws.repository.deliveries(id))[0]).toMatchObject({
      state: '02',
      reason: 'Không thuộc thẩm quyền',
    });
  });

  it('takes receipts from recipients only: 403 to the issuer, 404 to a stranger, 400 for a recall code', async () => {
    const id = await seedDocument();

    expect((await receipt(id, { code: '01' }, agency(ISSUER))).status).toBe(403);
    expect((await receipt(id, { code: '01' }, agency(OTHER))).status).toBe(404);
    expect((await receipt(id, { code: '13' })).status).toBe(400);
    expect((await aws.repository.deliveries(id))[0]).toMatchObject({ state: 'SENT' });
  });

  it('recalls what can be recalled (13), and the recipient agrees (15)', async () => {
    const second = '000.00.26.H48';
    const id = await seedDocument({ recipients: [RECIPIENT, second] });
    await receipt(id, { code: '01' });

    const byRecipient = await call({
      method: 'POST',
      path: `/documents/${id}/recall`,
      claims: agency(RECIPIENT),
    });
    const recall = await call({
      method: 'POST',
      path: `/documents/${id}/recall`,
      body: { reason: 'Sai số hiệu' },
    });
    const agreed = await receipt(id, { code: '15' });
    const again = await call({ method: 'POST', path: `/documents/${id}/recall` });

    expect(byRecipient.status).toBe(403);
    expect(recall.status).toBe(200);
    expect(recallResultSchema.parse(recall.body)).toEqual({
      documentId: id,
      recalled: [RECIPIENT],
      unchanged: [{ recipient: second, state: 'SENT' }],
    });
    expect(agreed.status).toBe(200);
    const detail = documentDetailSchema.parse(
      (await call({ method: 'GET', path: `/documents/${id}` })).body,
    );
    expect(detail.deliveries.find((d) => d.recipient === RECIPIENT)).toMatchObject({ state: '15' });
    expect(again.status).toBe(409);
    expect(errorCode(again.body)).toBe('NOTHING_TO_RECALL');
  });
});

describe('rollout approvals', () => {
  let phase = 0;

  async function seedApproval(overrides: Partial<PendingApproval> = {}): Promise<PendingApproval> {
    phase += 1;
    const approval: PendingApproval = {
      scheduleId: 'quang-ngai-2019',
      phaseId: `phase-${phase}`,
      title: 'Thí điểm liên thông',
      taskToken: `token-${phase}`,
      attempt: 1,
      reportKeys: { json: 'reports/a.json', csv: 'reports/a.csv', html: 'reports/a.html' },
      window: {
        from: '2019-05-01T00:00:00Z',
        to: '2019-05-31T00:00:00Z',
        deadline: '2019-06-07T00:00:00Z',
      },
      recipients: ['vanphong@quangngai.gov.vn'],
      requestedAt: `2019-06-0${phase % 10}T00:00:00.000Z`,
      ...overrides,
    };
    await new DynamoDbRolloutStore(aws.db.client, 'status').recordPending(approval);
    return approval;
  }

  const approvalStatus = async (phaseId: string) => {
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const out = await aws.db.client.send(
      new GetItemCommand({
        TableName: 'status',
        Key: { pk: { S: APPROVAL_PK }, sk: { S: phaseId } },
      }),
    );
    return out.Item?.['status']?.S;
  };

  it('lists pending approvals to administrators without their task tokens', async () => {
    const pending = await seedApproval();

    const response = await call({ method: 'GET', path: '/admin/approvals', claims: admin });
    const asAgency = await call({ method: 'GET', path: '/admin/approvals' });

    expect(response.status).toBe(200);
    expect(approvalListSchema.parse(response.body).items).toContainEqual(
      expect.objectContaining({ phaseId: pending.phaseId, attempt: 1 }),
    );
    expect(JSON.stringify(response.body)).not.toContain('token-');
    expect(asAgency.status).toBe(403);
  });

  it('sends the decision with the stored token and marks the approval decided, once', async () => {
    const pending = await seedApproval();
    sfn.on(SendTaskSuccessCommand).resolves({});

    const decided = await call({
      method: 'POST',
      path: `/admin/approvals/${pending.phaseId}`,
      body: { decision: 'approved', note: 'Đạt yêu cầu' },
      claims: admin,
    });
    const twice = await call({
      method: 'POST',
      path: `/admin/approvals/${pending.phaseId}`,
      body: { decision: 'rejected' },
      claims: admin,
    });

    expect(decided.status).toBe(200);
    expect(approvalResultSchema.parse(decided.body)).toMatchObject({
      phaseId: pending.phaseId,
      decision: 'approved',
      decidedBy: 'admin-1',
    });
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.taskToken).toBe(pending.taskToken);
    expect(JSON.parse(calls[0]?.args[0].input.output ?? '')).toEqual({
      decision: 'approved',
      decidedBy: 'admin-1',
      note: 'Đạt yêu cầu',
    });
    expect(await approvalStatus(pending.phaseId)).toBe('APPROVED');
    expect(twice.status).toBe(409);
    expect(errorCode(twice.body)).toBe('APPROVAL_DECIDED');
  });

  it('refuses agencies, unknown phases and bad decisions before calling Step Functions', async () => {
    const pending = await seedApproval();

    const answers = await Promise.all([
      call({
        method: 'POST',
        path: `/admin/approvals/${pending.phaseId}`,
        body: { decision: 'approved' },
      }),
      call({
        method: 'POST',
        path: '/admin/approvals/no-such-phase',
        body: { decision: 'approved' },
        claims: admin,
      }),
      call({
        method: 'POST',
        path: `/admin/approvals/${pending.phaseId}`,
        body: { decision: 'maybe' },
        claims: admin,
      }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([403, 404, 400]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(await approvalStatus(pending.phaseId)).toBe('PENDING');
  });

  it('keeps a decision the rollout no longer waits for (409), and reopens one that failed to send', async () => {
    const closed = await seedApproval();
    const throttled = await seedApproval();
    sfn
      .on(SendTaskSuccessCommand, { taskToken: closed.taskToken })
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    sfn.on(SendTaskSuccessCommand, { taskToken: throttled.taskToken }).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Rate exceeded',
      }),
    );
    const decide = (phaseId: string) =>
      call({
        method: 'POST',
        path: `/admin/approvals/${phaseId}`,
        body: { decision: 'approved' },
        claims: admin,
      });

    const late = await decide(closed.phaseId);
    const failed = await decide(throttled.phaseId);

    expect(late.status).toBe(409);
    expect(errorCode(late.body)).toBe('APPROVAL_CLOSED');
    expect(await approvalStatus(closed.phaseId)).toBe('APPROVED');
    expect(failed.status).toBe(500);
    expect(await approvalStatus(throttled.phaseId)).toBe('PENDING');
  });
});

describe('GET /openapi.json', () => {
  it('is served without a token and documents every route the router serves', async () => {
    const response = await call({ method: 'GET', path: '/openapi.json', claims: null });

    expect(response.status).toBe(200);
    const doc = response.body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const registered = API_OPERATIONS.map((op) => `${op.method} ${op.path}`);
    expect(documented.sort()).toEqual([...registered].sort());
    expect(doc.paths['/documents']?.['get']).toMatchObject({
      parameters: expect.arrayContaining([
        expect.objectContaining({ name: 'cursor', in: 'query' }),
        expect.objectContaining({
          name: 'limit',
          in: 'query',
          schema: expect.objectContaining({ maximum: 100 }),
        }),
      ]),
    });
  });

  it('has a handler behind every documented route, and nothing behind others', async () => {
    for (const op of API_OPERATIONS) {
      const path = op.path.replace(/\{[^}]+\}/g, 'x');
      const response = await call({ method: op.method, path, claims: admin, rawBody: '{}' });
      // The router's own miss is NOT_FOUND; a route that ran answers anything else.
      expect(
        response.body === undefined
          ? 'none'
          : errorEnvelopeSchema.safeParse(response.body).data?.error.code,
        `${op.method} ${op.path}`,
      ).not.toBe('NOT_FOUND');
    }
    const miss = await call({ method: 'GET', path: '/documents/x/history', claims: admin });
    expect(miss.status).toBe(404);
    expect(errorCode(miss.body)).toBe('NOT_FOUND');
  });
});

describe('without a rollout state machine', () => {
  it('answers 503 on the approval routes', async () => {
    vi.resetModules();
    vi.stubEnv('STATE_MACHINE_ARN', '');
    const { handler: bare } = await import('#functions/documents-api.ts');

    for (const [method, path] of [
      ['GET', '/admin/approvals'],
      ['POST', '/admin/approvals/phase-1'],
    ] as const) {
      const response = await bare(
        makeHttpEvent({ method, path, body: { decision: 'approved' }, claims: admin }),
        makeLambdaContext('documents-api'),
      );
      expect(response.statusCode, path).toBe(503);
      expect(errorCode(JSON.parse(response.body ?? ''))).toBe('APPROVALS_UNAVAILABLE');
    }
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });
});
