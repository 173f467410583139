import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { errorEnvelopeSchema } from '#shared/documents/api-schemas.ts';
import { tokenFile } from './login.ts';
import { UsageError } from './usage.ts';

/** The local stack's API (`npm start`); `--api` or `EDOC_API` point elsewhere. */
export const DEFAULT_API_URL = 'http://127.0.0.1:4000';

const REQUEST_TIMEOUT_MS = 30_000;

/** The options every command that calls the API accepts, for `parseCommandArgs`. */
export const apiOptionSpec = {
  api: { type: 'string' },
  token: { type: 'string' },
} as const;

type ApiValues = { [K in keyof typeof apiOptionSpec]?: string | undefined };

/** The variables the API options fall back to. */
export interface ApiEnvironment {
  readonly EDOC_API?: string | undefined;
  readonly EDOC_TOKEN?: string | undefined;
  /** Where `edoc login` saved its token. @default ~/.config/edoc/token */
  readonly EDOC_TOKEN_FILE?: string | undefined;
}

/** The API refused a request, or answered with something its contract does not allow: exit 1. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly { field: string; message: string }[];

  constructor(
    status: number,
    code: string,
    message: string,
    details: readonly { field: string; message: string }[] = [],
  ) {
    super(
      [`${code} (HTTP ${status}): ${message}`, ...details.map((d) => `  ${d.field}: ${d.message}`)]
        .join('\n')
        .trimEnd(),
    );
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** No answer at all: wrong URL, stack not running, network down. Exit 1. */
export class ApiUnreachableError extends Error {
  constructor(url: string, options: { cause: unknown }) {
    const cause = options.cause instanceof Error ? options.cause : undefined;
    const reason =
      cause?.cause instanceof Error && 'code' in cause.cause
        ? String(cause.cause.code)
        : (cause?.message ?? String(options.cause));
    super(`cannot reach ${url} (${reason}); is the API running (npm start)?`, options);
    this.name = 'ApiUnreachableError';
  }
}

export interface RequestOptions<T> {
  readonly body?: unknown;
  /** The status the contract gives for success. @default 200 */
  readonly expect?: number;
  readonly schema: z.ZodType<T>;
}

/**
 * The agencies' HTTP API as a client: bearer token on every request, errors turned into
 * `ApiError` from the contract's error envelope, successful bodies checked against the contract's
 * response schema (`shared/documents/api-schemas.ts`).
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
  }

  async request<T>(method: 'GET' | 'POST', path: string, options: RequestOptions<T>): Promise<T> {
    const response = await this.#send(method, path, options.body);
    const expected = options.expect ?? 200;
    if (response.status !== expected) throw await errorFrom(response);
    const parsed = options.schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new ApiError(
        response.status,
        'UNEXPECTED_RESPONSE',
        `the answer to ${method} ${path} does not match the API contract`,
      );
    }
    return parsed.data;
  }

  /** `GET` answered by a redirect, such as `/documents/{id}/file`: the target URL. */
  async redirect(path: string): Promise<string> {
    const response = await this.#send('GET', path, undefined, 'manual');
    const location = response.headers.get('location');
    if (response.status !== 302 || location === null) throw await errorFrom(response);
    await response.body?.cancel();
    return new URL(location, this.baseUrl).toString();
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    redirect: 'follow' | 'manual' = 'follow',
  ): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    try {
      return await fetch(url, {
        method,
        redirect,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiUnreachableError(url, { cause: error });
    }
  }
}

/** The error a non-success answer carries, from the envelope when there is one. */
async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const envelope = errorEnvelopeSchema.safeParse(json);
  if (envelope.success) {
    const { code, message, details } = envelope.data.error;
    return new ApiError(response.status, code, message, details);
  }
  if (response.status === 401) {
    return new ApiError(401, 'UNAUTHORIZED', 'the token was refused (missing, expired or foreign)');
  }
  return new ApiError(response.status, 'HTTP_ERROR', `unexpected answer ${response.statusText}`);
}

/** The API base URL from `--api`, `EDOC_API` or the local default; must be http(s). */
export function apiUrlFrom(values: ApiValues, env: ApiEnvironment): string {
  const url = values.api ?? nonEmpty(env.EDOC_API) ?? DEFAULT_API_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new UsageError(`--api is not a URL: ${url}`, { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--api must be an http(s) URL: ${url}`);
  }
  return url;
}

/** A client from `--api`/`--token`, falling back to `EDOC_API`/`EDOC_TOKEN`; no token: exit 2. */
export function apiClientFrom(values: ApiValues, env: ApiEnvironment = process.env): ApiClient {
  const baseUrl = apiUrlFrom(values, env);
  const token = values.token ?? nonEmpty(env.EDOC_TOKEN) ?? savedToken(env);
  if (token === undefined || token.trim() === '') {
    throw new UsageError(
      'a token is required: --token <jwt>, EDOC_TOKEN or edoc login (locally: edoc dev-token --agency <code>)',
    );
  }
  return new ApiClient(baseUrl, token.trim());
}

const nonEmpty = (value: string | undefined) => (value === '' ? undefined : value);

/** The token `edoc login` saved, if any. */
function savedToken(env: ApiEnvironment): string | undefined {
  try {
    return readFileSync(tokenFile(env), 'utf8');
  } catch {
    return undefined;
  }
}
