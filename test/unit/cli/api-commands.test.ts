import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClientFrom } from '#cli/api-client.ts';
import { main } from '#cli/main.ts';
import { UsageError } from '#cli/usage.ts';
import { loadDevAuth, verifyDevToken } from '../../../scripts/local/dev-token.ts';

const ID = '0124dfe8-11ae-4287-981d-619f2500613b';
/** Nothing listens here, so a command that got past its argument checks would exit 1, not 2. */
const NOWHERE = 'http://127.0.0.1:9';
const api = ['--api', NOWHERE, '--token', 'x.y.z'];

let dir: string;
let pdf: string;
let out: string[];
let err: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edoc-cli-'));
  pdf = join(dir, 'letter.pdf');
  await writeFile(pdf, '%PDF-1.7\n%%EOF\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  vi.stubEnv('EDOC_API', '');
  vi.stubEnv('EDOC_TOKEN', '');
  vi.stubEnv('DIRECTORY_FILE', '');
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((line) => out.push(String(line)));
  vi.spyOn(console, 'error').mockImplementation((line) => err.push(String(line)));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const uploadArgs = (overrides: Record<string, string | undefined> = {}) => {
  const flags: Record<string, string | undefined> = {
    '--number': '1808',
    '--notation': 'UBND-KGVX',
    '--type': 'cong-van',
    '--subject': 'Về việc gửi, nhận văn bản điện tử',
    '--to': '000.00.08.H48,000.00.02.H48',
    '--signer-name': 'Nguyễn Văn A',
    '--signer-position': 'Chánh Văn phòng',
    ...overrides,
  };
  return Object.entries(flags).flatMap(([flag, value]) =>
    value === undefined ? [] : [flag, value],
  );
};

describe('edoc upload arguments', () => {
  it.each([
    ['no file', []],
    ['two files', [pdf, pdf]],
    ['no --number', [pdf, ...uploadArgs({ '--number': undefined })]],
    ['no --to', [pdf, ...uploadArgs({ '--to': undefined })]],
    ['no signer', [pdf, ...uploadArgs({ '--signer-name': undefined })]],
    ['a number that is not one', [pdf, ...uploadArgs({ '--number': 'abc' })]],
    ['a lower-case notation', [pdf, ...uploadArgs({ '--notation': 'ubnd-kgvx' })]],
    ['a recipient that is not an agency code', [pdf, ...uploadArgs({ '--to': '000.00.08' })]],
    ['the same recipient twice', [pdf, ...uploadArgs({ '--to': '000.00.08.H48,000.00.08.H48' })]],
    ['an unknown urgency', [pdf, ...uploadArgs({ '--urgency': 'soon' })]],
    ['a date that is not one', [pdf, ...uploadArgs({ '--promulgation-date': '16/4/2019' })]],
    ['a zero timeout', [pdf, ...uploadArgs({ '--timeout': '0' })]],
    ['an unknown flag', [pdf, ...uploadArgs(), '--force']],
  ])('answers a usage error (2) to %s, before calling the API', async (_, argv) => {
    expect(await main(['upload', ...argv, ...api])).toBe(2);
    expect(err.join('\n')).toMatch(/^edoc upload: /);
  });

  it('names the flag of a field the API would refuse', async () => {
    await main(['upload', pdf, ...uploadArgs({ '--notation': 'ubnd' }), ...api]);

    expect(err.join('\n')).toContain('--notation');
  });

  it('answers a usage error (2) to a file it cannot read', async () => {
    expect(await main(['upload', join(dir, 'missing.pdf'), ...uploadArgs(), ...api])).toBe(2);
    expect(err.join('\n')).toContain('ENOENT');
  });

  it('answers a usage error (2) without a token, and 1 when the API cannot be reached', async () => {
    expect(await main(['upload', pdf, ...uploadArgs(), '--api', NOWHERE])).toBe(2);
    expect(err.join('\n')).toContain('--token');

    expect(await main(['upload', pdf, ...uploadArgs(), ...api])).toBe(1);
    expect(err.join('\n')).toContain(`cannot reach ${NOWHERE}/documents`);
  });
});

describe('arguments of the other API commands', () => {
  it.each([
    ['status without an id', ['status', ...api]],
    ['status with two ids', ['status', ID, ID, ...api]],
    ['inbox with a positional argument', ['inbox', 'all', ...api]],
    ['inbox with a limit above the page size', ['inbox', '--limit', '101', ...api]],
    ['inbox with a limit that is not a number', ['inbox', '--limit', 'ten', ...api]],
    ['download without --out', ['download', ID, ...api]],
    ['download without an id', ['download', '--out', 'x.pdf', ...api]],
    ['receipt without a code', ['receipt', ID, ...api]],
    ['receipt with an unknown code', ['receipt', ID, '--code', '07', ...api]],
    ['receipt 02 (refused) without a reason', ['receipt', ID, '--code', '02', ...api]],
    ['receipt with a blank reason', ['receipt', ID, '--code', '03', '--reason', ' ', ...api]],
    ['report without a phase', ['report', ...api]],
    ['report of a malformed phase id', ['report', 'Province Pilot', ...api]],
    ['agencies with a positional argument', ['agencies', 'H48']],
    ['status with an --api that is not http', ['status', ID, '--api', 'ftp://x', '--token', 't']],
    [
      'status with an --api that is not a URL',
      ['status', ID, '--api', 'localhost', '--token', 't'],
    ],
    ['status without a token', ['status', ID, '--api', NOWHERE]],
    ['dev-token without --agency or --admin', ['dev-token', '--state-dir', '.']],
    ['dev-token for a malformed agency code', ['dev-token', '--agency', 'STTTT']],
    ['dev-token for zero hours', ['dev-token', '--agency', '000.00.08.H48', '--hours', '0']],
  ])('answers a usage error (2) to %s', async (_, argv) => {
    expect(await main(argv)).toBe(2);
    expect(err.join('\n')).toMatch(/^edoc [a-z-]+: /);
  });

  it('lists every client command in the help', async () => {
    expect(await main(['--help'])).toBe(0);

    for (const command of [
      'dev-token',
      'upload',
      'status',
      'inbox',
      'download',
      'receipt',
      'report',
      'agencies',
    ]) {
      expect(out.join('\n')).toContain(`edoc ${command}`);
    }
  });
});

describe('the API options', () => {
  it('falls back to EDOC_API and EDOC_TOKEN, then to the local API', () => {
    const client = apiClientFrom({}, { EDOC_API: 'https://api.example.vn/', EDOC_TOKEN: 'abc' });
    expect(client.baseUrl).toBe('https://api.example.vn');
    expect(apiClientFrom({ token: 't' }, {}).baseUrl).toBe('http://127.0.0.1:4000');
    expect(apiClientFrom({ api: 'http://h:1', token: 't' }, { EDOC_API: 'http://x' }).baseUrl).toBe(
      'http://h:1',
    );
    expect(() => apiClientFrom({}, { EDOC_API: 'http://x' })).toThrow(UsageError);
  });
});

describe('edoc dev-token', () => {
  it('prints a token the local API accepts, for an agency or an administrator', async () => {
    const stateDir = join(dir, 'state');
    expect(await main(['dev-token', '--agency', '000.00.08.H48', '--state-dir', stateDir])).toBe(0);
    expect(await main(['dev-token', '--admin', '--state-dir', stateDir])).toBe(0);
    const auth = await loadDevAuth(stateDir);

    const [agency, admin] = out.map((token) => verifyDevToken(auth, token));

    expect(agency).toMatchObject({ 'custom:agency': '000.00.08.H48', 'custom:role': 'agency' });
    expect(admin).toMatchObject({ 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' });
  });
});

describe('edoc agencies', () => {
  it('prints the seed directory when no DIRECTORY_FILE is set', async () => {
    expect(await main(['agencies'])).toBe(0);

    expect(out.some((l) => l.startsWith('000.00.01.H48  Văn phòng Ủy ban nhân dân tỉnh'))).toBe(
      true,
    );
  });
});

describe('API commands against a stand-in API', () => {
  let server: Server;
  let url: string;
  const requests: { method: string; path: string; auth: string; body: string }[] = [];
  const answers = new Map<string, [number, unknown]>();

  const read = async (request: IncomingMessage) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    return body;
  };

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const path = request.url ?? '';
      requests.push({
        method: request.method ?? '',
        path,
        auth: request.headers.authorization ?? '',
        body: await read(request),
      });
      const [status, body] = answers.get(`${request.method} ${path}`) ?? [404, {}];
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports a receipt with the token and prints the delivery state', async () => {
    answers.set(`POST /documents/${ID}/receipts`, [
      200,
      {
        documentId: ID,
        recipient: '000.00.02.H48',
        channel: 'province',
        state: '03',
        updatedAt: '2019-05-20T02:00:00.000Z',
      },
    ]);

    const code = await main(['receipt', ID, '--code', '03', '--api', url, '--token', 'tok']);

    expect(code).toBe(0);
    expect(requests.at(-1)).toMatchObject({ auth: 'Bearer tok', body: '{"code":"03"}' });
    expect(out.join('\n')).toContain('delivery to 000.00.02.H48 is now 03');
  });

  it('prints the code and message of a refusal and exits 1', async () => {
    answers.set(`POST /documents/${ID}/receipts`, [
      409,
      { error: { code: 'INVALID_TRANSITION', message: 'SENT cannot become 03', details: [] } },
    ]);

    const code = await main(['receipt', ID, '--code', '03', '--api', url, '--token', 'tok']);

    expect(code).toBe(1);
    expect(err.join('\n')).toContain('INVALID_TRANSITION (HTTP 409): SENT cannot become 03');
  });

  it('lists the inbox page by page', async () => {
    answers.set('GET /inbox?limit=1', [
      200,
      {
        items: [
          {
            documentId: ID,
            recipient: '000.00.02.H48',
            channel: 'province',
            state: 'SENT',
            deliveredAt: '2019-05-20T02:00:00.000Z',
            updatedAt: '2019-05-20T02:00:00.000Z',
          },
        ],
        cursor: 'next',
      },
    ]);

    const code = await main(['inbox', '--limit', '1', '--api', url, '--token', 'tok']);

    expect(code).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${ID}  SENT`));
    expect(out.at(-1)).toBe('more: edoc inbox --cursor next');
  });

  it('refuses an answer that breaks the contract', async () => {
    answers.set(`GET /documents/${ID}`, [200, { id: ID }]);

    const code = await main(['status', ID, '--api', url, '--token', 'tok']);

    expect(code).toBe(1);
    expect(err.join('\n')).toContain('UNEXPECTED_RESPONSE');
  });

  it('exits 1 when no phase report waits for a decision', async () => {
    answers.set('GET /admin/approvals', [200, { items: [] }]);

    const code = await main(['report', 'province-pilot', '--api', url, '--token', 'tok']);

    expect(code).toBe(1);
    expect(err.join('\n')).toContain('no report of phase province-pilot');
  });
});
