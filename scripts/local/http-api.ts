import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { type DevAuth, type DevClaims, InvalidTokenError, verifyDevToken } from './dev-token.ts';
import { PortInUseError } from './emulators.ts';
import { listenOnLoopback, readBody, sendJson } from './http-server.ts';
import { invokeHandler } from './invoke-handler.ts';

/** An HTTP API (payload v2) Lambda handler. */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface HttpApiOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly handler: HttpHandler;
  readonly auth: DevAuth;
  /** The API's routes as deployed (`API_OPERATIONS`); others are answered 404. */
  readonly routes: readonly HttpRoute[];
  /** @default 10_000, the deployed function's timeout */
  readonly functionTimeoutMs?: number;
  readonly region: string;
  readonly onError?: (error: unknown) => void;
}

export interface HttpApi {
  readonly url: string;
  stop(): Promise<void>;
}

/** A route as the CDK construct adds it: `/documents/{id}` templates, public ones unauthorized. */
export interface HttpRoute {
  readonly method: string;
  readonly path: string;
  readonly public?: boolean;
}

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * What API Gateway's HTTP API does in front of `documents-api` when deployed, on loopback: matches
 * the request to a route (404 otherwise), checks on all but public routes the bearer JWT (local HS256 tokens, see dev-token.ts) and answers 401 itself when it fails,
 * turns the request into a payload v2 event with the claims under
 * `requestContext.authorizer.jwt.claims` (as strings, as API Gateway passes them), invokes the
 * handler and writes its result back, inferring a 200 JSON answer from a bare result as API
 * Gateway does. A handler that throws or outlives the function timeout is a 500, with API
 * Gateway's body.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const server = createServer((request, response) => {
    serve(request, response, options).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });
  return listenOnLoopback(
    server,
    options.port,
    (cause) => new PortInUseError('API', options.port, { cause }),
  );
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  options: HttpApiOptions,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const match = matchRoute(options.routes, method, url.pathname);
  if (match === undefined) {
    sendJson(response, 404, { message: 'Not Found' });
    return;
  }

  let claims: DevClaims | undefined;
  if (!match.route.public) {
    const token = bearerToken(request.headers.authorization);
    try {
      if (token === undefined) throw new InvalidTokenError('no token');
      claims = verifyDevToken(options.auth, token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      response.setHeader('www-authenticate', `Bearer error="invalid_token"`);
      sendJson(response, 401, { message: 'Unauthorized' });
      return;
    }
  }

  const body = await readBody(request, MAX_BODY_BYTES);
  if (body === undefined) {
    sendJson(response, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const event = toEvent(request, url, match, body, claims);
  let result: unknown;
  try {
    result = await invokeHandler(options.handler, event, {
      name: 'documents-api',
      region: options.region,
      memoryMb: 512,
      timeoutMs: options.functionTimeoutMs ?? 10_000,
    });
  } catch (error) {
    options.onError?.(error);
    sendJson(response, 500, { message: 'Internal Server Error' });
    return;
  }
  writeResult(response, result);
}

interface RouteMatch {
  readonly route: HttpRoute;
  readonly pathParameters: Record<string, string>;
}

function matchRoute(
  routes: readonly HttpRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const pathParameters = matchTemplate(route.path, path);
    if (pathParameters) return { route, pathParameters };
  }
  return undefined;
}

/** `{name}` takes one non-empty path segment, `{name+}` the rest of the path, as in API Gateway. */
function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const parts = template.split('/');
  const segments = path.split('/');
  const parameters: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const [placeholder, name = '', greedy] = /^\{(\w+)(\+?)\}$/.exec(part) ?? [];
    const value = greedy ? segments.slice(i).join('/') : segments[i];
    if (value === undefined) return undefined;
    if (placeholder === undefined) {
      if (part !== value) return undefined;
      continue;
    }
    const decoded = decodeSegment(value);
    if (decoded === undefined || decoded === '') return undefined;
    parameters[name] = decoded;
    if (greedy) return parameters;
  }
  return parts.length === segments.length ? parameters : undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** API Gateway takes the token with or without the `Bearer ` prefix. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  return header.replace(/^Bearer\s+/i, '').trim();
}

const textTypes =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|x-www-form-urlencoded|javascript))/i;

function toEvent(
  request: IncomingMessage,
  url: URL,
  match: RouteMatch,
  body: Buffer,
  claims: DevClaims | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const text = textTypes.test(headers['content-type'] ?? '');
  const now = new Date();
  const method = request.method ?? 'GET';
  const routeKey = `${match.route.method} ${match.route.path}`;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    ...(url.searchParams.size > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length > 0
      ? { pathParameters: match.pathParameters }
      : {}),
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
  if (claims === undefined) return event;
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : null;
  // The type of a non-authorized event has no `authorizer`; API Gateway adds it after the JWT check.
  return Object.assign(event, {
    requestContext: {
      ...event.requestContext,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: stringClaims(claims), scopes },
      },
    },
  });
}

/** API Gateway passes every claim as a string; arrays become `[a b]`. */
function stringClaims(claims: DevClaims): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? `[${value.join(' ')}]`
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
    ]),
  );
}

/** A structured answer; anything without `statusCode` is a bare result. */
const StructuredResultSchema = z.object({
  statusCode: z.number().int(),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  cookies: z.array(z.string()).optional(),
});

function writeResult(response: ServerResponse, result: unknown): void {
  const structured = StructuredResultSchema.safeParse(result);
  if (!structured.success) {
    // Not a structured answer: API Gateway sends it as a 200 JSON body.
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return;
  }
  const r = structured.data;
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    response.setHeader(name, String(value));
  }
  if (r.cookies && r.cookies.length > 0) response.setHeader('set-cookie', r.cookies);
  response.statusCode = r.statusCode;
  const body = r.body ?? '';
  response.end(r.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}
