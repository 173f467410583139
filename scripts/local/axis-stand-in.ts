import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as z from 'zod';
import { partsFromHeaders, verifyRequestSignature } from '#shared/axis/protocol.ts';
import type { AxisAgency } from '#shared/axis/responses.ts';
import { salvageResponseFor } from '#shared/axis/salvage.ts';
import { parseEdxmlDocument } from '#shared/edxml/envelope.ts';
import { EdxmlFormatError } from '#shared/edxml/errors.ts';
import {
  type EdxmlOrganization,
  type EdxmlResponseFor,
  formatEdxmlTimestamp,
} from '#shared/edxml/fields.ts';
import {
  buildStatusMessage,
  EDXML_STATUS_MEANINGS,
  type EdxmlStatus,
  type EdxmlStatusCode,
  parseStatusMessage,
} from '#shared/edxml/status-message.ts';

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
  /** On 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Play the recipients: every package we send is answered by the agency it was sent to with
   * 01 (arrived) after `delayMs`, then 03 (accepted) after another `delayMs`; a package the
   * stand-in cannot read is answered 02 with the parser's reason. Off when omitted.
   */
  readonly answers?: { readonly delayMs: number };
  /**
   * Where the waiting list and the id counter survive a restart (`state.json`), and where every
   * package and status we send is written for inspection (`received/`). In memory when omitted.
   */
  readonly stateDir?: string;
  /** Keep every request (with its body) in `requests`. @default true */
  readonly recordRequests?: boolean;
}

interface Waiting {
  readonly kind: 'edoc' | 'status';
  readonly bytes: Buffer;
  /** Listed from this instant (ms since the epoch): how the stand-in delays its answers. */
  readonly availableAt: number;
}

const stateSchema = z.object({
  next: z.number().int().positive(),
  waiting: z.array(
    z.object({
      docId: z.string(),
      kind: z.enum(['edoc', 'status']),
      availableAt: z.number(),
      base64: z.string(),
    }),
  ),
});

/** The stand-in's own administration, on the same port, without the axis's HMAC. */
export const STAND_IN_ADMIN_PATH = '/_standin';

/**
 * The national axis on 127.0.0.1 for tests and the local stack, speaking the calls of
 * AxisHttpClient (`POST edocs`, `GET edocs/received`, `GET edocs/{id}`, `POST status`,
 * `GET agencies`). It checks every request's HMAC and `hash-file` (401 when wrong), records what
 * it received, and keeps a waiting list for our system, as the axis does (unconfirmed details):
 * - a package leaves the list once a status answering its DocumentId arrives;
 * - a status message leaves the list once fetched (there is nothing to answer it with).
 * Failures can be injected per route for the next call(s).
 *
 * Its administration, for a developer on the local stack (no signature):
 * - `POST /_standin/inbound` with an edXML package as the body puts it on the waiting list, as
 *   if a ministry had sent it (`201 {"docId": …}`);
 * - `GET /_standin` lists what was sent, the statuses received and what is waiting.
 */
export class AxisStandIn {
  readonly requests: AxisStandInRequest[] = [];
  /** Packages we sent (`POST edocs`), with the axis id the stand-in gave them. */
  readonly sent: { readonly docId: string; readonly to: string; readonly body: Buffer }[] = [];
  /** Status messages we sent (`POST status`), parsed, with the `to` header. */
  readonly statuses: (EdxmlStatus & { readonly to: string })[] = [];
  readonly #waiting = new Map<string, Waiting>();
  readonly #failures = new Map<AxisRoute, AxisFailure[]>();
  readonly #options: AxisStandInOptions & { readonly basePath: string };
  readonly #server: Server;
  #next = 1;
  #written = 0;

  private constructor(options: AxisStandInOptions) {
    this.#options = { basePath: '/api/', ...options };
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#handle(req, Buffer.concat(chunks), res));
    });
  }

  static async start(options: AxisStandInOptions): Promise<AxisStandIn> {
    const standIn = new AxisStandIn(options);
    standIn.#load();
    const server = standIn.#server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return standIn;
  }

  get url(): string {
    return `${this.origin}${this.#options.basePath}`;
  }

  /** `http://127.0.0.1:<port>`: the administration is at `/_standin` under it. */
  get origin(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A package from another system, waiting for us (any bytes: malformed ones too). */
  queuePackage(docId: string, bytes: Buffer): void {
    this.#wait(docId, { kind: 'edoc', bytes, availableAt: 0 });
  }

  /** A status message about a document we sent, waiting for us. */
  queueStatus(docId: string, bytes: Buffer): void {
    this.#wait(docId, { kind: 'status', bytes, availableAt: 0 });
  }

  /** A package from another system under a new axis id, as `POST /_standin/inbound` does. */
  injectPackage(bytes: Buffer): string {
    const docId = this.#newId();
    this.queuePackage(docId, bytes);
    return docId;
  }

  /** Everything on the waiting list, listed yet or not (a delayed answer is not). */
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
    this.#save();
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #newId(): string {
    const docId = `AX-${this.#next++}`;
    this.#save();
    return docId;
  }

  #wait(docId: string, waiting: Waiting): void {
    this.#waiting.set(docId, waiting);
    this.#save();
  }

  #load(): void {
    const dir = this.#options.stateDir;
    if (dir === undefined) return;
    mkdirSync(join(dir, 'received'), { recursive: true });
    let text: string;
    try {
      text = readFileSync(join(dir, 'state.json'), 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return;
      throw error;
    }
    const state = stateSchema.parse(JSON.parse(text));
    this.#next = state.next;
    for (const w of state.waiting) {
      this.#waiting.set(w.docId, {
        kind: w.kind,
        availableAt: w.availableAt,
        bytes: Buffer.from(w.base64, 'base64'),
      });
    }
  }

  /** Written whole on every change, through a rename, so a killed stack leaves a readable file. */
  #save(): void {
    const dir = this.#options.stateDir;
    if (dir === undefined) return;
    const state: z.input<typeof stateSchema> = {
      next: this.#next,
      waiting: [...this.#waiting].map(([docId, w]) => ({
        docId,
        kind: w.kind,
        availableAt: w.availableAt,
        base64: w.bytes.toString('base64'),
      })),
    };
    const file = join(dir, 'state.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  }

  /** A copy of what we sent under `received/`, numbered in arrival order. */
  #keep(name: string, body: Buffer): void {
    const dir = this.#options.stateDir;
    if (dir === undefined) return;
    this.#written += 1;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(join(dir, 'received', `${stamp}-${this.#written}-${name}`), body);
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
    if (path === STAND_IN_ADMIN_PATH || path.startsWith(`${STAND_IN_ADMIN_PATH}/`)) {
      this.#admin(method, path, body, res);
      return;
    }
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
    if (this.#options.recordRequests !== false) {
      this.requests.push({
        route: matched?.route,
        method,
        path,
        headers: req.headers,
        body,
        authentic,
      });
    }
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

  #admin(method: string, path: string, body: Buffer, res: ServerResponse): void {
    if (method === 'POST' && path === `${STAND_IN_ADMIN_PATH}/inbound`) {
      if (body.length === 0) {
        json(res, 400, { error: 'the body must be an edXML package' });
        return;
      }
      json(res, 201, { docId: this.injectPackage(body) });
      return;
    }
    if (method === 'GET' && path === STAND_IN_ADMIN_PATH) {
      json(res, 200, {
        sent: this.sent.map((s) => ({ docId: s.docId, to: s.to, bytes: s.body.length })),
        statuses: this.statuses.map((s) => ({
          code: s.StatusCode,
          from: s.From.OrganId,
          to: s.to,
          responseFor: s.ResponseFor,
        })),
        waiting: [...this.#waiting].map(([docId, w]) => ({
          docId,
          kind: w.kind,
          availableAt: new Date(w.availableAt).toISOString(),
        })),
      });
      return;
    }
    json(res, 404, { error: `no ${method} ${path}` });
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
        const docId = this.#newId();
        this.sent.push({ docId, to, body });
        this.#keep(`edoc-${docId}-to-${to}.edxml`, body);
        if (this.#options.answers) this.#answerPackage(body, to, this.#options.answers.delayMs);
        json(res, 200, { status: 'OK', docId });
        return;
      }
      case 'received': {
        const now = Date.now();
        json(res, 200, {
          status: 'OK',
          data: [...this.#waiting.entries()]
            .filter(([, w]) => w.availableAt <= now)
            .map(([docId, w]) => ({ docId, messagetype: w.kind })),
        });
        return;
      }
      case 'get': {
        const waiting = id === undefined ? undefined : this.#waiting.get(id);
        if (id === undefined || waiting === undefined) {
          json(res, 404, { status: 'FAIL', errorCode: 'NOT_FOUND', errorDesc: String(id) });
          return;
        }
        if (waiting.kind === 'status') {
          this.#waiting.delete(id);
          this.#save();
        }
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
        this.#keep(`status-${status.StatusCode}-from-${status.From.OrganId}.xml`, body);
        let answered = false;
        for (const [docId, w] of this.#waiting) {
          if (w.kind === 'edoc' && w.bytes.includes(status.ResponseFor.DocumentId)) {
            this.#waiting.delete(docId);
            answered = true;
          }
        }
        if (answered) this.#save();
        json(res, 200, { status: 'OK' });
        return;
      }
      case 'agencies':
        json(res, 200, { status: 'OK', data: this.#options.agencies ?? [] });
        return;
    }
  }

  /** The recipient's answers to a package we sent: 01 then 03, or 02 when it cannot be read. */
  #answerPackage(body: Buffer, to: string, delayMs: number): void {
    const named = (organId: string, name: string | undefined): EdxmlOrganization => ({
      OrganId: organId,
      OrganName:
        name ?? this.#options.agencies?.find((a) => a.id === organId)?.name ?? `Cơ quan ${organId}`,
    });
    let responseFor: EdxmlResponseFor;
    let from: EdxmlOrganization;
    let plan: { code: EdxmlStatusCode; description: string }[];
    try {
      const header = parseEdxmlDocument(body, { requireDigests: false }).MessageHeader;
      responseFor = {
        OrganId: header.From.OrganId,
        Code: `${header.Code.CodeNumber}/${header.Code.CodeNotation}`,
        PromulgationDate: header.PromulgationInfo.PromulgationDate,
        DocumentId: header.DocumentId,
      };
      from = named(to, header.To.find((t) => t.OrganId === to)?.OrganName);
      plan = (['01', '03'] as const).map((code) => ({
        code,
        description: EDXML_STATUS_MEANINGS[code],
      }));
    } catch (error) {
      if (!(error instanceof EdxmlFormatError)) throw error;
      const salvaged = salvageResponseFor(body);
      if (salvaged === undefined) return;
      responseFor = salvaged;
      from = named(to, undefined);
      plan = [{ code: '02', description: error.message.slice(0, 500) }];
    }
    const start = Date.now();
    plan.forEach(({ code, description }, i) => {
      const availableAt = start + delayMs * (i + 1);
      const xml = buildStatusMessage({
        ResponseFor: responseFor,
        From: from,
        StatusCode: code,
        Description: description,
        Timestamp: formatEdxmlTimestamp(new Date(availableAt)),
      });
      this.#wait(this.#newId(), { kind: 'status', bytes: xml, availableAt });
    });
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
