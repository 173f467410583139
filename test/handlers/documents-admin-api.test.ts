import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbRolloutStore } from '#adapters/dynamodb-rollout-store.ts';
import {
  agencyListSchema,
  documentTypeListSchema,
  errorEnvelopeSchema,
  reportListSchema,
  rolloutViewSchema,
  statsSchema,
} from '#shared/documents/api-schemas.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { documentsApiEnv, type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';
import { makeDocumentSeeder } from '#test/support/seed-documents.ts';

const ISSUER = '000.00.08.H48';
const RECIPIENT = '000.00.00.H48';
const admin = { sub: 'admin-1', 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' };

let aws: HandlerEnv;
let seedDocument: ReturnType<typeof makeDocumentSeeder>;
let handler: typeof import('#functions/documents-api.ts').handler;

beforeAll(async () => {
  aws = await startHandlerEnv({
    buckets: ['incoming', 'reports'],
    env: () => documentsApiEnv({ REPORTS_BUCKET: 'reports', STATE_MACHINE_ARN: '' }),
  });
  seedDocument = makeDocumentSeeder({ repository: aws.repository, s3: aws.s3, bucket: 'incoming' });
  ({ handler } = await import('#functions/documents-api.ts'));
});

afterAll(() => aws.stop());

async function call(options: HttpEventOptions) {
  const response = await handler(
    makeHttpEvent({ method: 'GET', ...options }),
    makeLambdaContext('documents-api'),
  );
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: response.body ? (JSON.parse(response.body) as unknown) : undefined,
  };
}

const errorCode = (body: unknown) => errorEnvelopeSchema.parse(body).error.code;

describe('GET /health', () => {
  it('answers 200 ok without any token', async () => {
    const response = await call({ path: '/health', claims: null });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });
});

describe('GET /admin/rollout', () => {
  it('shows the official-use default before any phase is applied, then the applied phase', async () => {
    const before = await call({ path: '/admin/rollout', claims: admin });
    await new DynamoDbRolloutStore(aws.db.client, 'status').applyPolicy({
      scheduleId: 'quang-ngai-2019',
      phaseId: 'province-pilot',
      policy: {
        phaseId: 'province-pilot',
        channelsOpen: ['province'],
        enrolledAgencies: [ISSUER, RECIPIENT],
        electronicOnlyTypes: ['cong-van'],
      },
      effectiveFrom: '2019-05-15T00:00:00Z',
      effectiveTo: '2019-06-15T00:00:00Z',
      appliedAt: '2019-05-15T00:00:01Z',
    });
    const after = await call({ path: '/admin/rollout', claims: admin });

    expect(before.status).toBe(200);
    expect(rolloutViewSchema.parse(before.body)).toEqual({
      source: 'default',
      phaseId: 'official',
      policy: {
        phaseId: 'official',
        channelsOpen: ['province', 'national-axis'],
        enrolledAgencies: 'all',
        electronicOnlyTypes: 'catalogue',
      },
    });
    expect(after.status).toBe(200);
    expect(rolloutViewSchema.parse(after.body)).toMatchObject({
      source: 'schedule',
      scheduleId: 'quang-ngai-2019',
      phaseId: 'province-pilot',
      policy: { channelsOpen: ['province'], enrolledAgencies: [ISSUER, RECIPIENT] },
      effectiveTo: '2019-06-15T00:00:00Z',
    });
  });
});

describe('reports', () => {
  const put = (key: string, body: string, contentType: string) =>
    aws.s3.send(
      new PutObjectCommand({ Bucket: 'reports', Key: key, Body: body, ContentType: contentType }),
    );

  beforeAll(async () => {
    await put(
      'reports/quang-ngai-2019/axis-pilot/report.json',
      '{"complete":true}',
      'application/json',
    );
    await put('reports/quang-ngai-2019/axis-pilot/report.csv', 'metric,value\n', 'text/csv');
    await put('reports/quang-ngai-2019/axis-pilot/report.html', '<!doctype html>', 'text/html');
    await put(
      'reports/quang-ngai-2019/province-pilot/report-extension-1.json',
      '{"complete":false}',
      'application/json',
    );
    await put('reports/other-2020/official/report.json', '{}', 'application/json');
    await put('reports/stray.txt', 'not a report', 'text/plain');
  });

  it('lists the reports of one schedule with their format and download path, and nothing else', async () => {
    const response = await call({
      path: '/admin/reports',
      query: { scheduleId: 'quang-ngai-2019' },
      claims: admin,
    });

    expect(response.status).toBe(200);
    const page = reportListSchema.parse(response.body);
    expect(page.items.map((r) => r.key)).toEqual([
      'reports/quang-ngai-2019/axis-pilot/report.csv',
      'reports/quang-ngai-2019/axis-pilot/report.html',
      'reports/quang-ngai-2019/axis-pilot/report.json',
      'reports/quang-ngai-2019/province-pilot/report-extension-1.json',
    ]);
    expect(page.items[3]).toMatchObject({
      scheduleId: 'quang-ngai-2019',
      phaseId: 'province-pilot',
      file: 'report-extension-1.json',
      format: 'json',
      size: '{"complete":false}'.length,
      href: '/admin/reports/quang-ngai-2019/province-pilot/report-extension-1.json',
    });
    expect(page.cursor).toBeUndefined();
  });

  it('pages through every schedule with a cursor, leaving out objects of another layout', async () => {
    const keys: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await call({
        path: '/admin/reports',
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
        claims: admin,
      });
      expect(response.status).toBe(200);
      const page = reportListSchema.parse(response.body);
      keys.push(...page.items.map((r) => r.key));
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(pages).toBeGreaterThanOrEqual(3);
    expect(keys).toHaveLength(5);
    expect(keys).toContain('reports/other-2020/official/report.json');
    expect(keys).not.toContain('reports/stray.txt');
  });

  it('refuses a cursor issued for another schedule, and a malformed schedule id', async () => {
    const first = reportListSchema.parse(
      (await call({ path: '/admin/reports', query: { limit: '1' }, claims: admin })).body,
    );
    expect(first.cursor).toBeDefined();

    const crossed = await call({
      path: '/admin/reports',
      query: { scheduleId: 'quang-ngai-2019', cursor: first.cursor ?? '' },
      claims: admin,
    });
    const badId = await call({
      path: '/admin/reports',
      query: { scheduleId: '../incoming' },
      claims: admin,
    });

    expect(crossed.status).toBe(400);
    expect(errorCode(crossed.body)).toBe('INVALID_CURSOR');
    expect(badId.status).toBe(400);
    expect(errorEnvelopeSchema.parse(badId.body).error.details).toEqual([
      { field: 'scheduleId', message: expect.any(String) },
    ]);
  });

  it('redirects to a five-minute signed link that serves the stored report', async () => {
    const response = await call({
      path: '/admin/reports/quang-ngai-2019/axis-pilot/report.csv',
      claims: admin,
    });

    expect(response.status).toBe(302);
    expect(response.headers['Cache-Control']).toBe('no-store');
    const location = new URL(String(response.headers['Location']));
    expect(location.pathname).toBe('/reports/reports/quang-ngai-2019/axis-pilot/report.csv');
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('metric,value\n');
  });

  it('answers 404 for a missing report and for a file name that is not a report', async () => {
    const missing = await call({
      path: '/admin/reports/quang-ngai-2019/official/report.json',
      claims: admin,
    });
    const notReport = await call({
      path: '/admin/reports/quang-ngai-2019/axis-pilot/manifest.pdf',
      claims: admin,
    });

    expect(missing.status).toBe(404);
    expect(errorCode(missing.body)).toBe('REPORT_NOT_FOUND');
    expect(notReport.status).toBe(404);
    expect(errorCode(notReport.body)).toBe('REPORT_NOT_FOUND');
  });
});

describe('GET /admin/stats', () => {
  const OTHER_ISSUER = '000.00.02.H48';

  beforeAll(async () => {
    // Documents of March 2018 only, so the other tests' documents fall outside every window here.
    await seedDocument({
      issuer: ISSUER,
      recipients: [RECIPIENT],
      createdAt: '2018-03-01T02:00:00.000Z',
    });
    await seedDocument({
      issuer: ISSUER,
      recipients: [RECIPIENT, OTHER_ISSUER],
      createdAt: '2018-03-02T02:00:00.000Z',
      stage: 'VERIFIED',
    });
    await seedDocument({
      issuer: OTHER_ISSUER,
      recipients: [ISSUER],
      createdAt: '2018-03-03T02:00:00.000Z',
      typeCode: 'quyet-dinh',
      stage: 'AWAITING_UPLOAD',
    });
    await seedDocument({
      issuer: OTHER_ISSUER,
      recipients: [ISSUER],
      createdAt: '2018-04-01T02:00:00.000Z',
    });
  });

  const stats = (query: Record<string, string>) =>
    call({ path: '/admin/stats', query, claims: admin });

  it('counts the documents of an inclusive window by status, complete', async () => {
    const response = await stats({ from: '2018-03-01', to: '2018-03-31' });

    expect(response.status).toBe(200);
    const body = statsSchema.parse(response.body);
    expect(body).toMatchObject({
      complete: true,
      groupBy: 'status',
      timezone: 'Asia/Ho_Chi_Minh',
      window: { from: '2018-03-01T07:00:00+07:00', to: '2018-04-01T07:00:00+07:00' },
      documents: { total: 3, electronicOnly: 2, paperAlso: 1, verified: 2, rejected: 0 },
      rejectionsByReason: [],
      // The seeded deliveries are SENT, none arrived: no latency sample.
      latency: { method: 'nearest-rank', samples: 0, medianMs: null, p95Ms: null },
    });
    expect(body.groups).toEqual(
      expect.arrayContaining([
        { status: 'ROUTED', documents: 1 },
        { status: 'VERIFIED', documents: 1 },
        { status: 'AWAITING_UPLOAD', documents: 1 },
        { status: 'REJECTED', documents: 0 },
      ]),
    );
  });

  it('groups by agency with directory names, and narrows to one issuer', async () => {
    const all = statsSchema.parse(
      (await stats({ from: '2018-03-01', to: '2018-03-31', groupBy: 'agency' })).body,
    );
    const one = statsSchema.parse(
      (await stats({ from: '2018-03-01', to: '2018-03-31', groupBy: 'agency', issuer: ISSUER }))
        .body,
    );

    expect(all.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          agency: ISSUER,
          name: QUANG_NGAI_DIRECTORY.find(ISSUER)?.name,
          sent: 2,
        }),
        expect.objectContaining({ agency: OTHER_ISSUER, sent: 1 }),
      ]),
    );
    expect(one.documents.total).toBe(2);
    expect(one.complete).toBe(true);
  });

  it('groups by channel, one entry per channel', async () => {
    const body = statsSchema.parse(
      (await stats({ from: '2018-03-01', to: '2018-03-31', groupBy: 'channel' })).body,
    );

    expect(body.groups.map((g) => ('channel' in g ? g.channel : undefined)).sort()).toEqual([
      'national-axis',
      'province',
    ]);
  });

  it('counts the deliveries the pipeline recorded as DELIVERY# items', async () => {
    const body = statsSchema.parse((await stats({ from: '2018-03-01', to: '2018-03-31' })).body);

    expect(body.deliveries.total).toBe(1);
  });

  it('refuses a reversed window, one over 366 days, a missing bound and an unknown grouping', async () => {
    const answers = await Promise.all([
      stats({ from: '2018-03-31', to: '2018-03-01' }),
      stats({ from: '2017-01-01', to: '2018-03-01' }),
      stats({ from: '2018-03-01' }),
      stats({ from: '2018-03-01', to: '2018-03-31', groupBy: 'type' }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(answers.map((a) => errorEnvelopeSchema.parse(a.body).error.details[0]?.field)).toEqual([
      'to',
      'to',
      'to',
      'groupBy',
    ]);
  });
});

describe('directory', () => {
  it('lists every agency without key references, with focal points for administrators only', async () => {
    const asAgency = await call({ path: '/agencies' });
    const asAdmin = await call({ path: '/agencies', claims: admin });

    expect(asAgency.status).toBe(200);
    const items = agencyListSchema.parse(asAgency.body).items;
    expect(items.map((a) => a.code)).toEqual(QUANG_NGAI_DIRECTORY.agencies.map((a) => a.code));
    expect(items.find((a) => a.code === ISSUER)).toMatchObject({
      issues: true,
      channel: 'province',
    });
    expect(JSON.stringify(asAgency.body)).not.toMatch(/organizationSigning|alias\/|focalPoint/);
    expect(agencyListSchema.parse(asAdmin.body).items[0]?.focalPoint).toMatchObject({
      email: expect.stringContaining('@'),
    });
  });

  it('lists the document-type catalogue', async () => {
    const response = await call({ path: '/document-types' });

    expect(response.status).toBe(200);
    expect(documentTypeListSchema.parse(response.body).items).toContainEqual(
      expect.objectContaining({ code: 'quyet-dinh', issuanceForm: 'electronic-and-paper' }),
    );
  });
});

describe('directory and catalogue administration', () => {
  const NEW_AGENCY = '000.00.41.H48';
  const makeAgencyBody = (overrides: Record<string, unknown> = {}) => ({
    code: NEW_AGENCY,
    codeStatus: 'illustrative',
    name: 'Sở Du lịch tỉnh Quảng Ngãi',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: { name: 'Võ Văn Em', email: 'vanthu.sdl@quangngai.gov.vn', phone: '0255 3822 041' },
    enrolment: ['official'],
    signerOrganizations: ['Sở Du lịch tỉnh Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-41-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.41.H48/chain.pem' },
    },
    ...overrides,
  });
  const listedAgencies = async () =>
    agencyListSchema.parse((await call({ path: '/agencies', claims: admin })).body).items;

  it('creates an agency, lists it, refuses a stale update with 409, deletes it, and lists it no more', async () => {
    const created = await call({
      method: 'POST',
      path: '/admin/agencies',
      body: makeAgencyBody(),
      claims: admin,
    });
    const listed = (await listedAgencies()).find((a) => a.code === NEW_AGENCY);
    const updated = await call({
      method: 'PUT',
      path: `/admin/agencies/${NEW_AGENCY}`,
      body: { ...makeAgencyBody({ name: 'Sở Du lịch' }), version: 1 },
      claims: admin,
    });
    const stale = await call({
      method: 'PUT',
      path: `/admin/agencies/${NEW_AGENCY}`,
      body: { ...makeAgencyBody({ name: 'Lần sau' }), version: 1 },
      claims: admin,
    });
    const deleted = await call({
      method: 'DELETE',
      path: `/admin/agencies/${NEW_AGENCY}`,
      query: { version: '2' },
      claims: admin,
    });
    const after = await listedAgencies();

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: NEW_AGENCY, version: 1, issues: true });
    expect(listed).toMatchObject({
      name: 'Sở Du lịch tỉnh Quảng Ngãi',
      version: 1,
      signerOrganizations: ['Sở Du lịch tỉnh Quảng Ngãi'],
      organizationSigning: { key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-41-H48' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Sở Du lịch', version: 2 });
    expect(stale.status).toBe(409);
    expect(errorCode(stale.body)).toBe('STALE_VERSION');
    expect(deleted).toMatchObject({ status: 200, body: { code: NEW_AGENCY, deleted: true } });
    expect(after.map((a) => a.code)).not.toContain(NEW_AGENCY);
  });

  it('refuses an invalid agency with 400 and field details, and stores nothing', async () => {
    const response = await call({
      method: 'POST',
      path: '/admin/agencies',
      body: makeAgencyBody({
        channel: 'fax',
        focalPoint: { name: 'Võ Văn Em', email: 'not-an-email', phone: '0255 3822 041' },
        organizationSigning: {
          key: { kind: 'file', path: '/var/task/keys/org.pem' },
          certificateChain: { kind: 'object', key: 'certificates/000.00.41.H48/chain.pem' },
        },
      }),
      claims: admin,
    });

    expect(response.status).toBe(400);
    const { error } = errorEnvelopeSchema.parse(response.body);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details.map((d) => d.field).sort()).toEqual([
      'channel',
      'focalPoint.email',
      'organizationSigning.key.kind',
    ]);
    expect((await listedAgencies()).map((a) => a.code)).not.toContain(NEW_AGENCY);
  });

  it('answers 409 for a code already in the directory, and 404 for an edit of an unknown one', async () => {
    const duplicate = await call({
      method: 'POST',
      path: '/admin/agencies',
      body: makeAgencyBody({ code: ISSUER }),
      claims: admin,
    });
    const unknown = await call({
      method: 'DELETE',
      path: '/admin/agencies/000.00.99.H48',
      claims: admin,
    });

    expect(duplicate.status).toBe(409);
    expect(errorCode(duplicate.body)).toBe('REFERENCE_EXISTS');
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown.body)).toBe('REFERENCE_NOT_FOUND');
  });

  it('edits the catalogue the same way, and a new type is accepted on a new document', async () => {
    const type = {
      code: 'chi-thi',
      name: 'Chỉ thị',
      abbreviation: 'CT',
      issuanceForm: 'electronic-only',
      retentionYears: 20,
    };
    const types = async () =>
      documentTypeListSchema.parse((await call({ path: '/document-types', claims: admin })).body)
        .items;

    const created = await call({
      method: 'POST',
      path: '/admin/document-types',
      body: type,
      claims: admin,
    });
    const listed = (await types()).find((t) => t.code === 'chi-thi');
    const issue = (number: number) =>
      call({
        method: 'POST',
        path: '/documents',
        body: {
          number,
          notation: 'CT-UBND',
          typeCode: 'chi-thi',
          subject: 'Chỉ thị thử',
          promulgationDate: '2019-07-01',
          signer: { name: 'Lê Văn Cường', position: 'Giám đốc' },
          urgency: 'normal',
          secrecy: 'none',
          recipients: [RECIPIENT],
          sha256: 'a'.repeat(64),
          size: 100,
        },
      });
    const document = await issue(7);
    const stale = await call({
      method: 'PUT',
      path: '/admin/document-types/chi-thi',
      body: { ...type, version: 0 },
      claims: admin,
    });
    const deleted = await call({
      method: 'DELETE',
      path: '/admin/document-types/chi-thi',
      query: { version: '1' },
      claims: admin,
    });

    expect(created).toMatchObject({ status: 201, body: { code: 'chi-thi', version: 1 } });
    expect(listed).toMatchObject({ issuanceForm: 'electronic-only', version: 1 });
    expect(document.status).toBe(201);
    expect(stale.status).toBe(409);
    expect(deleted.status).toBe(200);
    expect((await types()).map((t) => t.code)).not.toContain('chi-thi');
    expect((await issue(8)).status).toBe(400);
  });
});

describe('without a reports bucket', () => {
  it('answers 503 on the report routes and still serves the rest', async () => {
    vi.resetModules();
    vi.stubEnv('REPORTS_BUCKET', '');
    const { handler: bare } = await import('#functions/documents-api.ts');
    const get = (path: string) =>
      bare(
        makeHttpEvent({ method: 'GET', path, claims: admin }),
        makeLambdaContext('documents-api'),
      );

    for (const path of [
      '/admin/reports',
      '/admin/reports/quang-ngai-2019/axis-pilot/report.json',
    ]) {
      const response = await get(path);
      expect(response.statusCode, path).toBe(503);
      expect(errorCode(JSON.parse(response.body ?? ''))).toBe('REPORTS_UNAVAILABLE');
    }
    expect((await get('/admin/rollout')).statusCode).toBe(200);
  });
});
