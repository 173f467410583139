import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_OPERATIONS, type OperationId } from '#shared/documents/api-contract.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { documentsApiEnv, type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';
import { makeDocumentSeeder } from '#test/support/seed-documents.ts';
import { startKmsStandIn } from '#test/unit/keys/kms-stand-in.ts';

/**
 * Who may call what, route by route, as the function decides it. Tokens that are expired, signed
 * by another issuer or for another audience never reach the function: API Gateway's JWT
 * authorizer answers them 401 (the local stand-in, scripts/local/http-api.ts, does the same and is
 * tested with its own suite). What the function sees without a token is therefore only possible
 * on the public routes, or through a misconfigured route; it refuses it like a token without an
 * agency identity.
 */

const SENDER = '000.00.08.H48';
const RECIPIENT = '000.00.00.H48';
const UNRELATED = '000.00.02.H48';

const CALLERS = {
  admin: { sub: 'admin-1', 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' },
  sender: { sub: 'clerk-s', 'custom:agency': SENDER, 'custom:role': 'agency' },
  recipient: { sub: 'clerk-r', 'custom:agency': RECIPIENT, 'custom:role': 'agency' },
  unrelated: { sub: 'clerk-u', 'custom:agency': UNRELATED, 'custom:role': 'agency' },
  noToken: null,
  unknownRole: { sub: 'clerk-x', 'custom:agency': SENDER, 'custom:role': 'superuser' },
} as const;
type CallerName = keyof typeof CALLERS;
const CALLER_NAMES = Object.keys(CALLERS) as CallerName[];

const sfn = mockClient(SFNClient);
const kms = startKmsStandIn();
let aws: HandlerEnv;
let seedDocument: ReturnType<typeof makeDocumentSeeder>;
let handler: typeof import('#functions/documents-api.ts').handler;

beforeAll(async () => {
  aws = await startHandlerEnv({
    buckets: ['incoming', 'reports'],
    env: () =>
      documentsApiEnv({
        REPORTS_BUCKET: 'reports',
        STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:rollout',
        KEY_STAGE: 'test',
      }),
  });
  await aws.s3.send(
    new PutObjectCommand({
      Bucket: 'reports',
      Key: 'reports/quang-ngai-2019/axis-pilot/report.json',
      Body: '{}',
    }),
  );
  seedDocument = makeDocumentSeeder({ repository: aws.repository, s3: aws.s3, bucket: 'incoming' });
  sfn.on(SendTaskSuccessCommand).resolves({});
  ({ handler } = await import('#functions/documents-api.ts'));
});

afterAll(async () => {
  sfn.restore();
  kms.restore();
  await aws.stop();
});

const sentDocument = () => seedDocument({ issuer: SENDER, recipients: [RECIPIENT] });

// Far above the seeder's numbers, which count from 1 for the same issuers.
let number = 10_000;
const PDF_SHA = createHash('sha256').update('%PDF-1.7').digest('hex');
function newDocumentBody(): Record<string, unknown> {
  number += 1;
  return {
    number,
    notation: 'STTTT-VP',
    typeCode: 'cong-van',
    subject: 'Kiểm tra quyền',
    promulgationDate: '2019-06-14',
    signer: { name: 'Lê Văn Cường', position: 'Giám đốc' },
    urgency: 'normal',
    secrecy: 'none',
    recipients: ['000.00.03.H48'],
    sha256: PDF_SHA,
    size: 100,
  };
}

// A fresh code per request, so every administrator's create is a new entry.
let referenceCount = 0;
function newAgencyBody() {
  referenceCount += 1;
  return {
    code: `000.00.${String(50 + referenceCount)}.H48`,
    codeStatus: 'illustrative',
    name: `Cơ quan thử ${referenceCount}`,
    kind: 'other',
    channel: 'province',
    focalPoint: { name: 'Văn thư', email: 'vanthu@example.gov.vn', phone: '0255 3822 099' },
    enrolment: ['official'],
    signerOrganizations: [],
  };
}
function newTypeBody() {
  referenceCount += 1;
  return {
    code: `loai-thu-${referenceCount}`,
    name: `Loại thử ${referenceCount}`,
    abbreviation: null,
    issuanceForm: 'electronic-and-paper',
    retentionYears: 10,
  };
}
/** An agency or type an administrator has just added, for the routes that edit one. */
async function createdAgency() {
  const body = newAgencyBody();
  const created = await call({
    method: 'POST',
    path: '/admin/agencies',
    body,
    claims: CALLERS.admin,
  });
  if (created.status !== 201) throw new Error(`could not create an agency: ${created.body}`);
  return body;
}
async function createdType() {
  const body = newTypeBody();
  const created = await call({
    method: 'POST',
    path: '/admin/document-types',
    body,
    claims: CALLERS.admin,
  });
  if (created.status !== 201) throw new Error(`could not create a type: ${created.body}`);
  return body;
}

/** One request of a route, built afresh per caller so a write by one caller never hides another's answer. */
type RequestFactory = () => Promise<HttpEventOptions>;

const OK_FOR_AGENCIES = { admin: 403, sender: 200, recipient: 200, unrelated: 200 } as const;
const ADMIN_ONLY = { admin: 200, sender: 403, recipient: 403, unrelated: 403 } as const;
const ANY_AUTHENTICATED = { admin: 200, sender: 200, recipient: 200, unrelated: 200 } as const;
const REFUSED_WITHOUT_IDENTITY = { noToken: 403, unknownRole: 403 } as const;
const PUBLIC = { noToken: 200, unknownRole: 200 } as const;

/** Every route of the contract (the Record makes a new route a type error until it has a row). */
const MATRIX: Record<
  OperationId,
  { request: RequestFactory; expected: Record<CallerName, number> }
> = {
  createDocument: {
    request: async () => ({ method: 'POST', path: '/documents', body: newDocumentBody() }),
    expected: {
      ...OK_FOR_AGENCIES,
      sender: 201,
      recipient: 201,
      unrelated: 201,
      ...REFUSED_WITHOUT_IDENTITY,
    },
  },
  listDocuments: {
    request: async () => ({ method: 'GET', path: '/documents' }),
    expected: { ...ANY_AUTHENTICATED, ...REFUSED_WITHOUT_IDENTITY },
  },
  getDocument: {
    request: async () => ({ method: 'GET', path: `/documents/${await sentDocument()}` }),
    expected: { ...ANY_AUTHENTICATED, unrelated: 404, ...REFUSED_WITHOUT_IDENTITY },
  },
  getDocumentFile: {
    request: async () => ({ method: 'GET', path: `/documents/${await sentDocument()}/file` }),
    expected: {
      admin: 403,
      sender: 302,
      recipient: 302,
      unrelated: 404,
      ...REFUSED_WITHOUT_IDENTITY,
    },
  },
  listInbox: {
    request: async () => ({ method: 'GET', path: '/inbox' }),
    expected: { ...ANY_AUTHENTICATED, ...REFUSED_WITHOUT_IDENTITY },
  },
  reportReceipt: {
    request: async () => ({
      method: 'POST',
      path: `/documents/${await sentDocument()}/receipts`,
      body: { code: '01' },
    }),
    expected: {
      admin: 403,
      sender: 403,
      recipient: 200,
      unrelated: 404,
      ...REFUSED_WITHOUT_IDENTITY,
    },
  },
  recallDocument: {
    request: async () => {
      const id = await seedDocument({
        issuer: SENDER,
        recipients: [RECIPIENT],
        deliveryState: '01',
      });
      return { method: 'POST', path: `/documents/${id}/recall` };
    },
    expected: {
      admin: 403,
      sender: 200,
      recipient: 403,
      unrelated: 404,
      ...REFUSED_WITHOUT_IDENTITY,
    },
  },
  listAgencyDocuments: {
    request: async () => ({ method: 'GET', path: '/admin/documents', query: { agency: SENDER } }),
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  listApprovals: {
    request: async () => ({ method: 'GET', path: '/admin/approvals' }),
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  decideApproval: {
    // No approval is pending: an administrator learns that (404), nobody else gets that far.
    request: async () => ({
      method: 'POST',
      path: '/admin/approvals/axis-pilot',
      body: { decision: 'approved' },
    }),
    expected: { ...ADMIN_ONLY, admin: 404, ...REFUSED_WITHOUT_IDENTITY },
  },
  getRollout: {
    request: async () => ({ method: 'GET', path: '/admin/rollout' }),
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  listReports: {
    request: async () => ({ method: 'GET', path: '/admin/reports' }),
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  getReport: {
    request: async () => ({
      method: 'GET',
      path: '/admin/reports/quang-ngai-2019/axis-pilot/report.json',
    }),
    expected: { ...ADMIN_ONLY, admin: 302, ...REFUSED_WITHOUT_IDENTITY },
  },
  getStats: {
    request: async () => ({
      method: 'GET',
      path: '/admin/stats',
      query: { from: '2019-06-01', to: '2019-06-30' },
    }),
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  provisionAgencyKey: {
    request: async () => ({ method: 'POST', path: `/admin/agencies/${SENDER}/key` }),
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  installAgencyCertificate: {
    // No key is pending for the recipient: an administrator learns that (409), nobody else gets that far.
    request: async () => ({
      method: 'PUT',
      path: `/admin/agencies/${RECIPIENT}/certificate`,
      body: { chain: 'no certificate' },
    }),
    expected: { ...ADMIN_ONLY, admin: 409, ...REFUSED_WITHOUT_IDENTITY },
  },
  listAgencies: {
    request: async () => ({ method: 'GET', path: '/agencies' }),
    expected: { ...ANY_AUTHENTICATED, ...REFUSED_WITHOUT_IDENTITY },
  },
  listDocumentTypes: {
    request: async () => ({ method: 'GET', path: '/document-types' }),
    expected: { ...ANY_AUTHENTICATED, ...REFUSED_WITHOUT_IDENTITY },
  },
  createAgency: {
    request: async () => ({ method: 'POST', path: '/admin/agencies', body: newAgencyBody() }),
    expected: { ...ADMIN_ONLY, admin: 201, ...REFUSED_WITHOUT_IDENTITY },
  },
  updateAgency: {
    request: async () => {
      const body = await createdAgency();
      return { method: 'PUT', path: `/admin/agencies/${body.code}`, body };
    },
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  deleteAgency: {
    request: async () => {
      const { code } = await createdAgency();
      return { method: 'DELETE', path: `/admin/agencies/${code}` };
    },
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  createDocumentType: {
    request: async () => ({ method: 'POST', path: '/admin/document-types', body: newTypeBody() }),
    expected: { ...ADMIN_ONLY, admin: 201, ...REFUSED_WITHOUT_IDENTITY },
  },
  updateDocumentType: {
    request: async () => {
      const body = await createdType();
      return { method: 'PUT', path: `/admin/document-types/${body.code}`, body };
    },
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  deleteDocumentType: {
    request: async () => {
      const { code } = await createdType();
      return { method: 'DELETE', path: `/admin/document-types/${code}` };
    },
    expected: { ...ADMIN_ONLY, ...REFUSED_WITHOUT_IDENTITY },
  },
  getHealth: {
    request: async () => ({ method: 'GET', path: '/health' }),
    expected: { ...ANY_AUTHENTICATED, ...PUBLIC },
  },
  getOpenApi: {
    request: async () => ({ method: 'GET', path: '/openapi.json' }),
    expected: { ...ANY_AUTHENTICATED, ...PUBLIC },
  },
};

async function call(options: HttpEventOptions) {
  const response = await handler(makeHttpEvent(options), makeLambdaContext('documents-api'));
  return { status: response.statusCode ?? 200, body: response.body ?? '' };
}

const CASES = API_OPERATIONS.flatMap((op) =>
  CALLER_NAMES.map((caller) => ({
    route: `${op.method} ${op.path}`,
    operationId: op.operationId,
    caller,
    status: MATRIX[op.operationId].expected[caller],
  })),
);

describe('authorization matrix', () => {
  it('has a row for every route of the contract and nothing else', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(API_OPERATIONS.map((op) => op.operationId).sort());
  });

  it.each(CASES)('$route as $caller answers $status', async ({ operationId, caller, status }) => {
    const request = await MATRIX[operationId].request();

    const response = await call({ ...request, claims: CALLERS[caller] });

    expect(response.status).toBe(status);
  });
});

describe('no route leaks another agency’s documents', () => {
  it('answers an unrelated agency exactly as for an id that does not exist, on every document route', async () => {
    const id = await sentDocument();
    const missing = '3f1c7a52-0000-4000-8000-000000000000';
    const routes = [
      { method: 'GET', path: (d: string) => `/documents/${d}`, body: undefined },
      { method: 'GET', path: (d: string) => `/documents/${d}/file`, body: undefined },
      { method: 'POST', path: (d: string) => `/documents/${d}/receipts`, body: { code: '01' } },
      { method: 'POST', path: (d: string) => `/documents/${d}/recall`, body: undefined },
    ];

    for (const route of routes) {
      const ask = (d: string) =>
        call({
          method: route.method,
          path: route.path(d),
          ...(route.body ? { body: route.body } : {}),
          claims: CALLERS.unrelated,
        });
      const [theirs, none] = [await ask(id), await ask(missing)];
      expect(theirs.status, route.path('{id}')).toBe(404);
      expect(theirs.body.replace(id, '<id>')).toBe(none.body.replace(missing, '<id>'));
    }
  });

  it('lists a document to its issuer, its recipient and administrators only', async () => {
    const id = await sentDocument();
    const lists: [CallerName, HttpEventOptions][] = [
      ['sender', { method: 'GET', path: '/documents' }],
      ['recipient', { method: 'GET', path: '/documents', query: { direction: 'received' } }],
      ['recipient', { method: 'GET', path: '/inbox' }],
      ['admin', { method: 'GET', path: '/admin/documents', query: { agency: SENDER } }],
    ];
    const elsewhere: [CallerName, HttpEventOptions][] = [
      ['unrelated', { method: 'GET', path: '/documents' }],
      ['unrelated', { method: 'GET', path: '/documents', query: { direction: 'received' } }],
      ['unrelated', { method: 'GET', path: '/inbox' }],
      ['sender', { method: 'GET', path: '/inbox' }],
      ['admin', { method: 'GET', path: '/documents' }],
    ];

    for (const [caller, request] of lists) {
      const response = await call({
        ...request,
        query: { limit: '100', ...request.query },
        claims: CALLERS[caller],
      });
      expect(response.body, `${caller} ${request.path}`).toContain(id);
    }
    for (const [caller, request] of elsewhere) {
      const response = await call({
        ...request,
        query: { limit: '100', ...request.query },
        claims: CALLERS[caller],
      });
      expect(response.status).toBe(200);
      expect(response.body, `${caller} ${request.path}`).not.toContain(id);
    }
  });
});
