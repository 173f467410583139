import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { partsFromHeaders, verifyRequestSignature } from '#shared/axis/protocol.ts';
import type { AxisAgency } from '#shared/axis/responses.ts';
import { type EdxmlStatus, parseStatusMessage } from '#shared/edxml/status-message.ts';

/** The axis calls the stand-in serves, named as in AxisClient. */
export type AxisRoute = 'send' | 'received' | 'get' | 'status' | 'agencies';

/** A failure injected into the next call(s) of one route. */
export type AxisFailure =
  /** Answer with this HTTP status (and a FAIL body unless `body` is given). */
  | { readonly kind: 'http'; readonly status: number; readonly body?: string }
  /** Never answer: the client's timeout fires. The socket is closed when the stand-in stops. */
  | { readonly kind: 'hang' }
  /** Drop the connection without an answer. */
  | { readonly kind: 'reset' }
  /** Answer 200 with a body that is not what the call returns. */
  | { readonly kind: 'garbage' };

export interface AxisStandInRequest {
  readonly route: AxisRoute | undefined;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** The stand-in's verdict on the HMAC and `hash-file`, made with the documented scheme. */
  readonly authentic: boolean;
}

export interface AxisStandInOptions {
  readonly secret: string;
  readonly systemId: string;
  /** @default '/api/' */
  readonly basePath?: string;
  /** @default [] */
  readonly agencies?: readonly AxisAgency[];
}

interface Waiting {
  readonly kind: 'edoc' | 'status';
  readonly bytes: Buffer;
}

/**
 * The national axis on 127.0.0.1 for tests, speaking the calls of AxisHttpClient
 * (`POST edocs`, `GET edocs/received`, `GET edocs/{id}`, `POST status`, `GET agencies`). It checks
 * every request's HMAC and `hash-file` (401 when wrong), records what it received, and keeps a
 * waiting list per recipient system, as the axis does (unconfirmed details):
 * - a package leaves the list once a status answering its DocumentId arrives;
 * - a status message leaves the list once fetched (there is nothing to answer it with).
 * Failures can be injected per route for the next call(s).
 */
export class AxisStandIn {
  readonly requests: AxisStandInRequest[] = [];
  /** Packages we sent (`POST edocs`), with the axis id the stand-in gave them. */
  readonly sent: { readonly docId: string; readonly to: string; readonly body: Buffer }[] = [];
  /** Status messages we sent (`POST status`), parsed, with the `to` header. */
  readonly statuses: (EdxmlStatus & { readonly to: string })[] = [];
  readonly #waiting = new Map<string, Waiting>();
  readonly #failures = new Map<AxisRoute, AxisFailure[]>();
  readonly #options: Required<AxisStandInOptions>;
  readonly #server: Server;
  #next = 1;

  private constructor(options: AxisStandInOptions) {
    this.#options = { basePath: '/api/', agencies: [], ...options };
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#handle(req, Buffer.concat(chunks), res));
    });
  }

  static async start(options: AxisStandInOptions): Promise<AxisStandIn> {
    const standIn = new AxisStandIn(options);
    await new Promise<void>((resolve) => standIn.#server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.#options.basePath}`;
  }

  /** A package from another system, waiting for us (any bytes: malformed ones too). */
  queuePackage(docId: string, bytes: Buffer): void {
    this.#waiting.set(docId, { kind: 'edoc', bytes });
  }

  /** A status message about a document we sent, waiting for us. */
  queueStatus(docId: string, bytes: Buffer): void {
    this.#waiting.set(docId, { kind: 'status', bytes });
  }

  waitingIds(): string[] {
    return [...this.#waiting.keys()];
  }

  /** The next `times` calls of `route` fail so. */
  failNext(route: AxisRoute, failure: AxisFailure, times = 1): void {
    this.#failures.set(route, [
      ...(this.#failures.get(route) ?? []),
      ...Array(times).fill(failure),
    ]);
  }

  reset(): void {
    this.requests.length = 0;
    this.sent.length = 0;
    this.statuses.length = 0;
    this.#waiting.clear();
    this.#failures.clear();
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #route(method: string, path: string): { route: AxisRoute; id?: string } | undefined {
    const base = this.#options.basePath;
    if (!path.startsWith(base)) return undefined;
    const rest = path.slice(base.length);
    if (method === 'POST' && rest === 'edocs') return { route: 'send' };
    if (method === 'GET' && rest === 'edocs/received') return { route: 'received' };
    if (method === 'POST' && rest === 'status') return { route: 'status' };
    if (method === 'GET' && rest === 'agencies') return { route: 'agencies' };
    const get = /^edocs\/([^/]+)$/.exec(rest)?.[1];
    if (method === 'GET' && get !== undefined) {
      return { route: 'get', id: decodeURIComponent(get) };
    }
    return undefined;
  }

  #handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const method = req.method ?? '';
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const digest = createHash('sha256').update(body).digest('hex');
    const parts = partsFromHeaders(method, path, req.headers, digest);
    const signature = req.headers['signature'];
    const authentic =
      parts !== undefined &&
      parts.systemId === this.#options.systemId &&
      typeof signature === 'string' &&
      verifyRequestSignature(parts, this.#options.secret, signature) &&
      (body.length === 0 || req.headers['hash-file'] === digest);
    const matched = this.#route(method, path);
    this.requests.push({
      route: matched?.route,
      method,
      path,
      headers: req.headers,
      body,
      authentic,
    });
    if (!authentic) {
      json(res, 401, { status: 'FAIL', errorCode: 'BAD_SIGNATURE', errorDesc: 'signature' });
      return;
    }
    if (matched === undefined) {
      json(res, 404, { status: 'FAIL', errorCode: 'NOT_FOUND', errorDesc: path });
      return;
    }
    const failure = this.#failures.get(matched.route)?.shift();
    if (failure !== undefined) {
      fail(res, failure);
      return;
    }
    this.#answer(matched.route, matched.id, req, body, res);
  }

  #answer(
    route: AxisRoute,
    id: string | undefined,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): void {
    const to = typeof req.headers['to'] === 'string' ? req.headers['to'] : '';
    switch (route) {
      case 'send': {
        const docId = `AX-${this.#next++}`;
        this.sent.push({ docId, to, body });
        json(res, 200, { status: 'OK', docId });
        return;
      }
      case 'received':
        json(res, 200, {
          status: 'OK',
          data: [...this.#waiting.entries()].map(([docId, w]) => ({ docId, messagetype: w.kind })),
        });
        return;
      case 'get': {
        const waiting = id === undefined ? undefined : this.#waiting.get(id);
        if (id === undefined || waiting === undefined) {
          json(res, 404, { status: 'FAIL', errorCode: 'NOT_FOUND', errorDesc: String(id) });
          return;
        }
        if (waiting.kind === 'status') this.#waiting.delete(id);
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(waiting.bytes);
        return;
      }
      case 'status': {
        let status: EdxmlStatus;
        try {
          status = parseStatusMessage(body);
        } catch (error) {
          const errorDesc = error instanceof Error ? error.message : String(error);
          json(res, 400, { status: 'FAIL', errorCode: 'INVALID_STATUS', errorDesc });
          return;
        }
        this.statuses.push({ ...status, to });
        for (const [docId, w] of this.#waiting) {
          if (w.kind === 'edoc' && w.bytes.includes(status.ResponseFor.DocumentId)) {
            this.#waiting.delete(docId);
          }
        }
        json(res, 200, { status: 'OK' });
        return;
      }
      case 'agencies':
        json(res, 200, { status: 'OK', data: this.#options.agencies });
        return;
    }
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function fail(res: ServerResponse, failure: AxisFailure): void {
  switch (failure.kind) {
    case 'http':
      res.writeHead(failure.status, { 'content-type': 'application/json' });
      res.end(
        failure.body ??
          JSON.stringify({
            status: 'FAIL',
            errorCode: `E${failure.status}`,
            errorDesc: 'injected',
          }),
      );
      return;
    case 'hang':
      return;
    case 'reset':
      res.socket?.destroy();
      return;
    case 'garbage':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
      return;
  }
}
