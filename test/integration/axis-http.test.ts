import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AxisHttpClient, type AxisHttpClientConfig } from '#adapters/axis-http-client.ts';
import { ParametersExtensionSecretSource, StaticSecretSource } from '#adapters/secret-sources.ts';
import {
  AxisAuthenticationError,
  AxisRejectedError,
  AxisUnavailableError,
} from '#shared/axis/errors.ts';
import { pollAxis } from '#shared/axis/poll-axis.ts';
import { partsFromHeaders, verifyRequestSignature } from '#shared/axis/protocol.ts';
import { parseStatusMessage } from '#shared/edxml/status-message.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { InMemoryStatusRepository } from '#test/support/in-memory-pipeline.ts';
import {
  fixedClock,
  MemoryLedger,
  MemoryStore,
  makeInboundPackage,
  OUR_AGENCY,
  SELF,
  SENDER,
} from '../unit/axis/fakes.ts';

const SECRET = 'bí-mật-trục-liên-thông';
const SYSTEM_ID = 'edoc-hub-h48';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** The stand-in's own verdicts, made with the documented scheme. */
  readonly signatureValid: boolean;
  readonly hashFileValid: boolean;
}

type Reply = (request: Received, res: ServerResponse) => void;

/**
 * A stand-in for the axis on 127.0.0.1: checks every request's HMAC and `hash-file` the way the
 * axis would (401 when wrong), and answers with whatever the test scripted for the path.
 */
class AxisStandIn {
  readonly received: Received[] = [];
  readonly replies = new Map<string, Reply>();
  readonly waiting = new Map<string, Buffer>();
  readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#handle(req, Buffer.concat(chunks), res));
    });
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/`;
  }

  #handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/secretsmanager/get') {
      const ok = req.headers['x-aws-parameters-secrets-token'] === 'session-token';
      res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { Name: 'axis', SecretString: SECRET } : {}));
      return;
    }
    const digest = createHash('sha256').update(body).digest('hex');
    const parts = partsFromHeaders(req.method ?? '', path, req.headers, digest);
    const signature = req.headers['signature'];
    const received: Received = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      signatureValid:
        parts !== undefined &&
        typeof signature === 'string' &&
        parts.systemId === SYSTEM_ID &&
        verifyRequestSignature(parts, SECRET, signature),
      hashFileValid: body.length === 0 || req.headers['hash-file'] === digest,
    };
    this.received.push(received);
    if (!received.signatureValid || !received.hashFileValid) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'FAIL', errorCode: 'BAD_SIGNATURE', errorDesc: 'no' }));
      return;
    }
    const scripted = this.replies.get(`${req.method} ${path}`);
    if (scripted) scripted(received, res);
    else this.#default(received, res);
  }

  #default(request: Received, res: ServerResponse): void {
    const key = `${request.method} ${request.path}`;
    const edoc = /^GET \/api\/edocs\/(.+)$/.exec(key)?.[1];
    const body = edoc === undefined ? undefined : this.waiting.get(decodeURIComponent(edoc));
    if (key !== 'GET /api/edocs/received' && body) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(body);
      return;
    }
    const [status, value] = this.#jsonAnswer(key);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  }

  #jsonAnswer(key: string): [number, unknown] {
    if (key === 'POST /api/edocs') return [200, { status: 'OK', docId: 'AX-1' }];
    if (key === 'POST /api/status') return [200, { status: 'OK' }];
    if (key === 'GET /api/edocs/received') {
      const data = [...this.waiting.keys()].map((docId) => ({ docId }));
      return [200, { status: 'OK', data }];
    }
    return [404, { status: 'FAIL', errorCode: 'NOT_FOUND', errorDesc: key }];
  }
}

let axis: AxisStandIn;

beforeAll(async () => {
  axis = new AxisStandIn();
  await new Promise<void>((resolve) => axis.server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  axis.server.closeAllConnections();
  await new Promise((resolve) => axis.server.close(resolve));
});

beforeEach(() => {
  axis.received.length = 0;
  axis.replies.clear();
  axis.waiting.clear();
});

function makeClient(overrides: Partial<AxisHttpClientConfig> = {}, secret = SECRET) {
  return new AxisHttpClient(
    { endpoint: axis.url, systemId: SYSTEM_ID, organId: '000.00.00.H48', ...overrides },
    new StaticSecretSource(secret),
  );
}

describe('AxisHttpClient against a local axis stand-in', () => {
  it('sends the exact package with a valid HMAC and hash-file, and returns the axis id', async () => {
    const body = makeInboundPackage();
    const answer = await makeClient().sendEdoc(body, SENDER);

    expect(answer).toEqual({ docId: 'AX-1' });
    const [request] = axis.received;
    expect(request).toMatchObject({ method: 'POST', signatureValid: true, hashFileValid: true });
    expect(request?.body.equals(body)).toBe(true);
    expect(request?.headers).toMatchObject({
      systemid: SYSTEM_ID,
      from: '000.00.00.H48',
      to: SENDER,
      servicetype: 'eDoc',
      messagetype: 'edoc',
      'hash-file': createHash('sha256').update(body).digest('hex'),
      'content-type': 'application/xml',
    });
  });

  it('is turned away with a wrong secret, as a credentials error to retry', async () => {
    await expect(
      makeClient({}, 'not-the-secret').sendEdoc(Buffer.from('<x/>'), SENDER),
    ).rejects.toBeInstanceOf(AxisAuthenticationError);
    expect(axis.received[0]?.signatureValid).toBe(false);
  });

  it('maps an axis refusal to AxisRejectedError with its code', async () => {
    axis.replies.set('POST /api/edocs', (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'FAIL', errorCode: 'INVALID_EDXML', errorDesc: 'bad' }));
    });
    const error = await makeClient()
      .sendEdoc(Buffer.from('<x/>'), SENDER)
      .catch((e) => e);
    expect(error).toBeInstanceOf(AxisRejectedError);
    expect(error).toMatchObject({ code: 'INVALID_EDXML', httpStatus: 400 });
  });

  it('maps a 503 to AxisUnavailableError', async () => {
    axis.replies.set('POST /api/edocs', (_req, res) => {
      res.writeHead(503, { 'retry-after': '30' });
      res.end('maintenance');
    });
    const error = await makeClient()
      .sendEdoc(Buffer.from('<x/>'), SENDER)
      .catch((e) => e);
    expect(error).toBeInstanceOf(AxisUnavailableError);
    expect(error).not.toBeInstanceOf(AxisRejectedError);
    expect(String(error.message)).toContain('503');
  });

  it('gives up after its timeout and reports the axis unavailable', async () => {
    axis.replies.set('GET /api/edocs/received', (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) res.end('{"status":"OK","data":[]}');
      }, 2_000).unref();
    });
    const started = Date.now();
    const error = await makeClient({ timeoutMs: 200 })
      .getReceivedEdocList()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AxisUnavailableError);
    expect(String(error.message)).toMatch(/TimeoutError/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports a closed port as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = makeClient({ endpoint: `http://127.0.0.1:${port}/api/` });
    await expect(client.getAgencies()).rejects.toBeInstanceOf(AxisUnavailableError);
  });

  it('refuses a package larger than its limit without buffering it', async () => {
    axis.waiting.set('BIG', Buffer.alloc(64 * 1024, 0x41));
    const error = await makeClient({ maxEdocBytes: 1024 })
      .getEdoc('BIG')
      .catch((e) => e);
    expect(error).toBeInstanceOf(AxisRejectedError);
    expect(error).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('reads the agency list', async () => {
    axis.replies.set('GET /api/agencies', (request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'OK',
          data: [{ id: SENDER, name: `Văn phòng Chính phủ (${request.headers['messagetype']})` }],
        }),
      );
    });
    expect(await makeClient().getAgencies()).toEqual([
      { id: SENDER, name: 'Văn phòng Chính phủ (agency)' },
    ]);
  });

  it('receives over HTTP end to end: list, fetch, verify, answer the sender', async () => {
    axis.waiting.set('IN/1', makeInboundPackage());
    const deps = {
      client: makeClient(),
      store: new MemoryStore(),
      ledger: new MemoryLedger(),
      repository: new InMemoryStatusRepository(),
      trust: { trustAnchors: [], intermediates: [], crls: [], policy: DEFAULT_POLICY },
      clock: fixedClock(),
      self: SELF,
      servesAgency: (code: string) => code === OUR_AGENCY,
    };

    const result = await pollAxis(deps);

    // The fixture's PDF carries no signature: refused, with the reason, by the addressed agency.
    expect(result.refused).toEqual([{ docId: 'IN/1', reason: expect.stringMatching(/signature/) }]);
    expect(axis.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/edocs/received',
      'GET /api/edocs/IN%2F1',
      'POST /api/status',
    ]);
    expect(axis.received.every((r) => r.signatureValid && r.hashFileValid)).toBe(true);
    const statusRequest = axis.received[2];
    expect(statusRequest?.headers).toMatchObject({ messagetype: 'status', to: SENDER });
    const status = parseStatusMessage(statusRequest?.body ?? Buffer.alloc(0));
    expect(status).toMatchObject({ StatusCode: '02', From: { OrganId: OUR_AGENCY } });
    expect(deps.store.objects.size).toBe(0);
  });
});

describe('ParametersExtensionSecretSource', () => {
  it('reads the secret through the extension with the session token, and caches it', async () => {
    const { port } = axis.server.address() as AddressInfo;
    let calls = 0;
    const source = new ParametersExtensionSecretSource({
      secretId: 'axis',
      sessionToken: 'session-token',
      port,
      fetch: (input, init) => {
        calls += 1;
        return fetch(String(input).replace('localhost', '127.0.0.1'), init);
      },
    });
    expect(await source.secret()).toBe(SECRET);
    expect(await source.secret()).toBe(SECRET);
    expect(calls).toBe(1);
  });

  it('fails when the extension refuses the token', async () => {
    const { port } = axis.server.address() as AddressInfo;
    const source = new ParametersExtensionSecretSource({
      secretId: 'axis',
      sessionToken: 'wrong',
      port,
      fetch: (input, init) => fetch(String(input).replace('localhost', '127.0.0.1'), init),
    });
    await expect(source.secret()).rejects.toThrow(/403/);
  });
});
