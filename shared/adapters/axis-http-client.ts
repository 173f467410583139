import type { z } from 'zod';
import { AxisRejectedError, AxisUnavailableError } from '#shared/axis/errors.ts';
import type { AxisClient, SecretSource } from '#shared/axis/ports.ts';
import {
  type AxisRequestParts,
  axisHeaders,
  EMPTY_BODY_SHA256,
  MESSAGE_TYPES,
  type MessageType,
  SERVICE_TYPE,
} from '#shared/axis/protocol.ts';
import {
  type AxisAgency,
  agenciesResponseSchema,
  errorOf,
  okResponseSchema,
  readJsonAnswer,
  receivedListResponseSchema,
  sendResponseSchema,
} from '#shared/axis/responses.ts';
import { DEFAULT_EDXML_LIMITS, maxInputBytesOf, sha256Hex } from '#shared/edxml/attachments.ts';
import { parseStatusMessage } from '#shared/edxml/status-message.ts';

export interface AxisHttpClientConfig {
  /** Base URL of the axis API; the calls' paths are resolved against it. */
  readonly endpoint: string;
  /** Our system's id on the axis (`systemid`). */
  readonly systemId: string;
  /** Our agency identifier (`from`). */
  readonly organId: string;
  /** Per call, headers and body included. @default 10 000 ms */
  readonly timeoutMs?: number;
  /** For sendEdoc and getEdoc, which carry whole packages. @default 60 000 ms */
  readonly transferTimeoutMs?: number;
  /** Largest package getEdoc accepts. @default the parser's input limit */
  readonly maxEdocBytes?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** JSON answers are small; this only stops a runaway body. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly messageType: MessageType;
  readonly to?: string;
  readonly body?: Buffer;
  readonly contentType?: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/**
 * AxisClient over HTTPS with the global fetch. Paths (relative to `endpoint`, unconfirmed):
 * `POST edocs` (sendEdoc, raw edXML), `GET edocs/received`, `GET edocs/{docId}` (raw edXML),
 * `POST status` (status edXML), `GET agencies`. Every request is signed (see protocol.ts) with the
 * secret read from the SecretSource at call time, so a rotated secret is picked up.
 */
export class AxisHttpClient implements AxisClient {
  readonly #config: AxisHttpClientConfig;
  readonly #secrets: SecretSource;
  readonly #base: URL;
  readonly #fetch: typeof fetch;

  constructor(config: AxisHttpClientConfig, secrets: SecretSource) {
    this.#config = config;
    this.#secrets = secrets;
    this.#base = new URL(config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`);
    this.#fetch = config.fetch ?? globalThis.fetch;
  }

  async sendEdoc(body: Buffer, to: string): Promise<{ docId: string }> {
    const { status, bytes } = await this.#call({
      method: 'POST',
      path: 'edocs',
      messageType: MESSAGE_TYPES.edoc,
      to,
      body,
      contentType: 'application/xml',
      timeoutMs: this.#transferTimeout(),
      maxBytes: MAX_JSON_BYTES,
    });
    return { docId: this.#json(sendResponseSchema, status, bytes).docId };
  }

  async getReceivedEdocList(): Promise<string[]> {
    const { status, bytes } = await this.#call({
      method: 'GET',
      path: 'edocs/received',
      messageType: MESSAGE_TYPES.edoc,
      timeoutMs: this.#timeout(),
      maxBytes: MAX_JSON_BYTES,
    });
    return this.#json(receivedListResponseSchema, status, bytes).data.map((d) => d.docId);
  }

  async getEdoc(docId: string): Promise<Buffer> {
    const { status, bytes } = await this.#call({
      method: 'GET',
      path: `edocs/${encodeURIComponent(docId)}`,
      messageType: MESSAGE_TYPES.edoc,
      timeoutMs: this.#transferTimeout(),
      maxBytes: this.#config.maxEdocBytes ?? maxInputBytesOf(DEFAULT_EDXML_LIMITS),
    });
    const error = errorOf(status, bytes.toString('utf8'));
    if (error) throw error;
    return bytes;
  }

  async updateStatus(statusXml: Buffer): Promise<void> {
    // The status goes to the document's sender; reading it also keeps us from sending a bad one.
    const to = parseStatusMessage(statusXml).ResponseFor.OrganId;
    const { status, bytes } = await this.#call({
      method: 'POST',
      path: 'status',
      messageType: MESSAGE_TYPES.status,
      to,
      body: statusXml,
      contentType: 'application/xml',
      timeoutMs: this.#timeout(),
      maxBytes: MAX_JSON_BYTES,
    });
    this.#json(okResponseSchema, status, bytes);
  }

  async getAgencies(): Promise<AxisAgency[]> {
    const { status, bytes } = await this.#call({
      method: 'GET',
      path: 'agencies',
      messageType: MESSAGE_TYPES.agency,
      timeoutMs: this.#timeout(),
      maxBytes: MAX_JSON_BYTES,
    });
    return this.#json(agenciesResponseSchema, status, bytes).data;
  }

  #timeout = () => this.#config.timeoutMs ?? 10_000;
  #transferTimeout = () => this.#config.transferTimeoutMs ?? 60_000;

  #json<S extends z.ZodType>(schema: S, status: number, bytes: Buffer): z.output<S> {
    return readJsonAnswer(schema, status, bytes.toString('utf8'));
  }

  async #call(call: Call): Promise<{ status: number; bytes: Buffer }> {
    const url = new URL(call.path, this.#base);
    const parts: AxisRequestParts = {
      method: call.method,
      path: url.pathname,
      systemId: this.#config.systemId,
      from: this.#config.organId,
      to: call.to ?? '',
      serviceType: SERVICE_TYPE,
      messageType: call.messageType,
      timestamp: (this.#config.now?.() ?? new Date()).toISOString(),
      bodySha256: call.body === undefined ? EMPTY_BODY_SHA256 : sha256Hex(call.body),
    };
    const headers = axisHeaders(parts, await this.#secrets.secret(), {
      withHashFile: call.body !== undefined,
    });
    const signal = AbortSignal.timeout(call.timeoutMs);
    try {
      const response = await this.#fetch(url, {
        method: call.method,
        headers: {
          ...headers,
          accept: 'application/json, application/xml',
          ...(call.contentType ? { 'content-type': call.contentType } : {}),
        },
        ...(call.body === undefined ? {} : { body: new Uint8Array(call.body) }),
        signal,
        redirect: 'error',
      });
      return { status: response.status, bytes: await readLimited(response, call.maxBytes) };
    } catch (error) {
      if (error instanceof AxisRejectedError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new AxisUnavailableError(
        `${call.method} ${url.pathname} did not complete (${reason})`,
        { cause: error },
      );
    }
  }
}

/** The body, refusing more than `max` bytes without buffering them. */
async function readLimited(response: Response, max: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () =>
    new AxisRejectedError('TOO_LARGE', `answer exceeds ${max} bytes`, response.status);
  if (declared > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
