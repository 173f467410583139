import { render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { vi } from 'vitest';
import type { Agency, DocumentDetail, DocumentType, ReceivedDelivery } from '../../web/src/api.ts';
import { ApiClient } from '../../web/src/api.ts';
import type { Session } from '../../web/src/auth.ts';
import type { ConsoleConfig } from '../../web/src/config.ts';
import { type Workspace, WorkspaceContext } from '../../web/src/context.ts';
import { I18nContext, type Lang, makeI18n } from '../../web/src/i18n.ts';

export const API_BASE = 'http://api.test';

export interface RecordedCall {
  readonly method: string;
  /** Path and query, without the API base: `/documents/d-1/receipts`. */
  readonly path: string;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Answers one request: a JSON body (status 200), or a Response for anything else. */
export type FakeRoute = (call: RecordedCall) => unknown;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A `fetch` that answers from a table keyed by `METHOD /path?query` (or `METHOD /path`), records
 * every call, and answers 404 with the API's error envelope for anything else.
 */
export function fakeFetch(routes: Readonly<Record<string, FakeRoute>>) {
  const calls: RecordedCall[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://console.test/');
    const method = init?.method ?? 'GET';
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const call: RecordedCall = {
      method,
      path: `${url.pathname}${url.search}`,
      headers: new Headers(init?.headers),
      body: text === undefined ? undefined : JSON.parse(text),
    };
    calls.push(call);
    const route =
      routes[`${method} ${url.pathname}${url.search}`] ?? routes[`${method} ${url.pathname}`];
    if (route === undefined) {
      return json(404, { error: { code: 'NOT_FOUND', message: 'not found', details: [] } });
    }
    const answer = await route(call);
    return answer instanceof Response ? answer : json(200, answer);
  };
  return { fetch: impl, calls };
}

/** An unsigned token carrying the claims the console reads (it never checks signatures). */
export function makeToken(claims: { agency: string; role: 'agency' | 'admin'; exp?: number }) {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    'custom:agency': claims.agency,
    'custom:role': claims.role,
    exp: claims.exp ?? Math.floor(Date.now() / 1000) + 3600,
  })}.c2lnbmF0dXJl`;
}

export const makeAgency = (overrides: Partial<Agency> = {}): Agency => ({
  code: '000.00.01.H01',
  codeStatus: 'illustrative',
  name: 'Văn phòng UBND tỉnh',
  kind: 'provincial-office',
  channel: 'province',
  enrolment: [],
  issues: true,
  ...overrides,
});

export const AGENCIES: readonly Agency[] = [
  makeAgency(),
  makeAgency({ code: '000.00.12.H01', name: 'Sở Thông tin và Truyền thông' }),
  makeAgency({ code: '000.00.15.H01', name: 'Sở Tài chính' }),
];

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  {
    code: 'cong-van',
    name: 'Công văn',
    abbreviation: null,
    issuanceForm: 'electronic-only',
    retentionYears: 10,
  },
  {
    code: 'quyet-dinh',
    name: 'Quyết định',
    abbreviation: 'QĐ',
    issuanceForm: 'electronic-and-paper',
    retentionYears: 20,
  },
];

export const makeDetail = (overrides: Partial<DocumentDetail> = {}): DocumentDetail => ({
  id: 'doc-1',
  issuer: '000.00.01.H01',
  year: 2019,
  number: '1808',
  notation: 'UBND-KGVX',
  subject: 'Triển khai gửi nhận văn bản điện tử',
  typeCode: 'cong-van',
  status: 'UPLOADED',
  createdAt: '2019-04-25T02:00:00.000Z',
  updatedAt: '2019-04-25T02:00:05.000Z',
  recipients: ['000.00.12.H01'],
  history: [{ at: '2019-04-25T02:00:05.000Z', status: 'UPLOADED', actor: 'pipeline' }],
  deliveries: [],
  verification: null,
  paperCopy: null,
  rejectionReasons: [],
  countersigned: false,
  ...overrides,
});

export const makeDelivery = (overrides: Partial<ReceivedDelivery> = {}): ReceivedDelivery => ({
  documentId: 'doc-1',
  recipient: '000.00.12.H01',
  channel: 'province',
  state: 'SENT',
  deliveredAt: '2019-04-25T02:01:00.000Z',
  updatedAt: '2019-04-25T02:01:00.000Z',
  ...overrides,
});

export const DEV_CONFIG: ConsoleConfig = {
  apiUrl: API_BASE,
  auth: {
    kind: 'dev',
    signInUrl: '/dev/sign-in',
    agencies: AGENCIES.map(({ code, name }) => ({ code, name })),
  },
};

/**
 * Renders a screen inside a signed-in workspace whose API client talks to `fetchImpl`.
 * `navigate` is a spy.
 */
export function renderInWorkspace(
  ui: ComponentChildren,
  options: {
    fetch: typeof fetch;
    session?: Partial<Session>;
    config?: ConsoleConfig;
    lang?: Lang;
  },
) {
  const session: Session = {
    agency: '000.00.01.H01',
    role: 'agency',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    token: makeToken({ agency: options.session?.agency ?? '000.00.01.H01', role: 'agency' }),
    ...options.session,
  };
  const navigate = vi.fn<(hash: string) => void>();
  const workspace: Workspace = {
    config: options.config ?? DEV_CONFIG,
    session,
    api: new ApiClient(API_BASE, session.token, options.fetch),
    agencies: AGENCIES,
    documentTypes: DOCUMENT_TYPES,
    navigate,
  };
  const result = render(
    <I18nContext.Provider value={makeI18n(options.lang ?? 'vi', () => undefined)}>
      <WorkspaceContext.Provider value={workspace}>{ui}</WorkspaceContext.Provider>
    </I18nContext.Provider>,
  );
  return { ...result, navigate, workspace };
}
