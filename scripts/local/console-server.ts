import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { agencyListSchema } from '#shared/documents/api-schemas.ts';
import { agencyIdSchema } from '#shared/routing/agency-id.ts';
import { type DevAuth, signDevToken } from './dev-token.ts';
import { listenOnLoopback, readBody, sendJson } from './http-server.ts';

/** The console's sources (`web/`); `vite build` writes `web/dist/`. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
export const DEFAULT_DIST_DIR = join(WEB_DIR, 'dist');

export interface ConsoleServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The local HTTP API, e.g. `http://127.0.0.1:4000`; reached through `/api`. */
  readonly apiUrl: string;
  /** The local S3 endpoint pre-signed URLs point at; reached through `/storage`. */
  readonly storageUrl: string;
  /** Signs the tokens of `POST /dev/sign-in`, as the local API checks them. */
  readonly auth: DevAuth;
  /** The built console (`index.html` and `assets/`). */
  readonly distDir: string;
}

export interface ConsoleServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** The console's port is taken (`EDOC_CONSOLE_PORT`). */
export class ConsolePortInUseError extends Error {
  readonly port: number;

  constructor(port: number, options?: { cause?: unknown }) {
    super(`port ${port} for the console is already in use`, options);
    this.name = 'ConsolePortInUseError';
    this.port = port;
  }
}

const JSON_UTF8 = 'application/json; charset=utf-8';
const API_PREFIX = '/api';
const STORAGE_PREFIX = '/storage';
const SIGN_IN_PATH = '/dev/sign-in';

/**
 * What CloudFront's response headers policy sends in AWS: scripts only from the console's origin
 * (Vite emits no inline script), inline styles allowed for computed widths (progress, charts),
 * never framed.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Connection-level headers a proxy must not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const SignInSchema = z.object({
  agency: agencyIdSchema,
  role: z.enum(['agency', 'admin']).default('agency'),
});

/**
 * The console on the local stack, on one origin as CloudFront serves it in AWS: the built files
 * (with an `index.html` fallback and CloudFront's security headers), `config.json`, a development
 * sign-in, and reverse proxies to the local API (`/api/*`) and the S3 stand-in (`/storage/*`), so
 * the browser needs no CORS from either. Proxied requests stream through with their method,
 * headers and body, so a pre-signed POST form reaches the stand-in as the browser sent it.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const distDir = resolve(options.distDir);
  const api = new URL(options.apiUrl);
  const storage = new URL(options.storageUrl);
  const server = createServer((request, response) => {
    route(request, response, { ...options, distDir, api, storage }).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(
          response,
          502,
          {
            message: error instanceof Error ? error.message : 'Bad Gateway',
          },
          JSON_UTF8,
        );
      } else {
        response.destroy();
      }
    });
  });
  return listenOnLoopback(
    server,
    options.port,
    (cause) => new ConsolePortInUseError(options.port, { cause }),
  );
}

interface Routing extends ConsoleServerOptions {
  readonly api: URL;
  readonly storage: URL;
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  options: Routing,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://console.local');
  const path = url.pathname;
  if (isUnder(path, API_PREFIX)) {
    await proxy(request, response, options.api, url, API_PREFIX, {
      // The API redirects downloads to pre-signed storage URLs: send the browser through us too.
      rewriteLocation: (location) =>
        location.startsWith(originOf(options.storage))
          ? STORAGE_PREFIX + location.slice(originOf(options.storage).length)
          : location,
    });
    return;
  }
  if (isUnder(path, STORAGE_PREFIX)) {
    // Pre-signed URLs and forms carry their own authorization; the console's token stays here.
    await proxy(request, response, options.storage, url, STORAGE_PREFIX, {
      dropHeaders: ['authorization', 'cookie'],
    });
    return;
  }
  withSecurityHeaders(response);
  if (path === SIGN_IN_PATH) {
    await signIn(request, response, options.auth);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    sendJson(response, 405, { message: 'Method Not Allowed' }, JSON_UTF8);
    return;
  }
  if (path === '/config.json') {
    await sendConfig(response, options);
    return;
  }
  await serveStatic(request, response, options.distDir, path);
}

const isUnder = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

const originOf = (url: URL) => `${url.protocol}//${url.host}`;

function withSecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
}

/**
 * `config.json` as `web/src/config.ts` reads it: the API and storage through this origin, and the
 * development sign-in offering the agencies the directory serves the console in (not the ones
 * reached over the national axis), read from the API at each load so directory edits show.
 */
async function sendConfig(response: ServerResponse, options: Routing): Promise<void> {
  const token = signDevToken(options.auth, {
    agency: '000.00.00.H48',
    role: 'admin',
    ttlSeconds: 60,
  });
  const answer = await fetch(new URL('agencies', withSlash(options.api)), {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!answer.ok) throw new Error(`the API answered ${answer.status} for /agencies`);
  const directory = agencyListSchema.parse(await answer.json());
  const config = {
    apiUrl: API_PREFIX,
    auth: {
      kind: 'dev',
      signInUrl: SIGN_IN_PATH,
      agencies: directory.items
        .filter((a) => a.channel === 'province')
        .map((a) => ({ code: a.code, name: a.name })),
    },
    storageRewrite: { from: originOf(options.storage), to: STORAGE_PREFIX },
  };
  response.setHeader('cache-control', 'no-store');
  sendJson(response, 200, config, JSON_UTF8);
}

const withSlash = (url: URL) => (url.href.endsWith('/') ? url.href : `${url.href}/`);

/** `POST /dev/sign-in` `{ agency, role }` → `{ token }`: a 12-hour development token. */
async function signIn(
  request: IncomingMessage,
  response: ServerResponse,
  auth: DevAuth,
): Promise<void> {
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST');
    sendJson(response, 405, { message: 'Method Not Allowed' }, JSON_UTF8);
    return;
  }
  const body = await readBody(request, 4096);
  let json: unknown;
  try {
    json = body === undefined ? undefined : JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = SignInSchema.safeParse(json);
  if (!parsed.success) {
    sendJson(
      response,
      400,
      { message: 'expected { agency, role: "agency" | "admin" }' },
      JSON_UTF8,
    );
    return;
  }
  response.setHeader('cache-control', 'no-store');
  sendJson(response, 200, { token: signDevToken(auth, parsed.data) }, JSON_UTF8);
}

interface ProxyOptions {
  readonly rewriteLocation?: (location: string) => string;
  readonly dropHeaders?: readonly string[];
}

/** Streams the request to `target` (prefix removed) and its answer back, both unbuffered. */
async function proxy(
  request: IncomingMessage,
  response: ServerResponse,
  target: URL,
  url: URL,
  prefix: string,
  options: ProxyOptions = {},
): Promise<void> {
  const basePath = target.pathname.replace(/\/+$/, '');
  const path = `${basePath}${url.pathname.slice(prefix.length) || '/'}${url.search}`;
  const headers = forwardable(request.headers, options.dropHeaders ?? []);
  headers['host'] = target.host;
  const upstream = httpRequest({
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: request.method ?? 'GET',
    path,
    headers,
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    upstream.once('response', resolve);
    upstream.once('error', reject);
  });
  // Awaited below; a failed upload rejects `pipeline` first and must not leave this unhandled.
  answered.catch(() => undefined);
  await pipeline(request, upstream);
  const answer = await answered;
  const out = forwardable(answer.headers, []);
  const location = answer.headers.location;
  if (location !== undefined && options.rewriteLocation) {
    out['location'] = options.rewriteLocation(location);
  }
  response.writeHead(answer.statusCode ?? 502, out);
  await pipeline(answer, response);
}

function forwardable(
  headers: IncomingHttpHeaders,
  drop: readonly string[],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * A file of the build, or `index.html` for paths that name none (the console routes by hash, but
 * a bookmarked path still opens it). Hashed assets are cached for good, the rest revalidated.
 */
async function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  distDir: string,
  path: string,
): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    sendJson(response, 400, { message: 'Bad Request' }, JSON_UTF8);
    return;
  }
  const file = resolve(distDir, `.${decoded}`);
  if (file !== distDir && !file.startsWith(distDir + sep)) {
    sendJson(response, 404, { message: 'Not Found' }, JSON_UTF8);
    return;
  }
  let chosen = (await isFile(file)) ? file : undefined;
  if (chosen === undefined && extname(decoded) === '') chosen = join(distDir, 'index.html');
  if (chosen === undefined || !(await isFile(chosen))) {
    sendJson(
      response,
      404,
      {
        message:
          extname(decoded) === '' ? 'The console is not built: npm run build:web' : 'Not Found',
      },
      JSON_UTF8,
    );
    return;
  }
  const info = await stat(chosen);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(chosen)] ?? 'application/octet-stream',
    'content-length': String(info.size),
    'cache-control': decoded.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(createReadStream(chosen), response);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The console's inputs: its sources and the shared schemas it bundles. */
const BUILD_INPUTS = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'vite.config.ts'),
  fileURLToPath(new URL('../../shared/', import.meta.url)),
];

/**
 * Builds the console with Vite into `outDir` (`web/dist/` by default), in a child process with
 * `NODE_ENV=production`: under a test runner (`NODE_ENV=test`) an in-process build would bundle
 * Preact's debug build instead.
 */
export async function buildConsole(outDir: string = DEFAULT_DIST_DIR): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin');
  const child = spawn(
    process.execPath,
    [
      join(vite, 'vite.js'),
      'build',
      WEB_DIR,
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  const [code] = await once(child, 'close');
  if (code !== 0) {
    throw new Error(
      `vite build failed (exit ${String(code)}):\n${Buffer.concat(output).toString('utf8')}`,
    );
  }
}

/**
 * Builds the console when `distDir` has no `index.html` or is older than any of its inputs.
 * Returns whether it built.
 */
export async function ensureConsoleBuilt(distDir: string = DEFAULT_DIST_DIR): Promise<boolean> {
  const built = await modifiedAt(join(distDir, 'index.html'));
  if (built !== undefined) {
    const inputs = await Promise.all(BUILD_INPUTS.map(newestIn));
    if (inputs.every((t) => t <= built)) return false;
  }
  await buildConsole(distDir);
  return true;
}

async function modifiedAt(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time of a file, or of any file under a folder (0 when missing). */
async function newestIn(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const time = await modifiedAt(join(entry.parentPath, entry.name));
    if (time !== undefined && time > newest) newest = time;
  }
  return newest;
}
