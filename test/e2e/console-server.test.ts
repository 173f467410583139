import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type ConsoleServer, startConsoleServer } from '../../scripts/local/console-server.ts';
import { type DevAuth, verifyDevToken } from '../../scripts/local/dev-token.ts';

/** What the upstream stand-in saw of one proxied request. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * An upstream that records every request and answers by path: `/agencies` as the API does,
 * `/redirect` with a 302 to a storage URL, anything else 201 with a marker header.
 */
async function startUpstream(storageOrigin: () => string) {
  const seen: Seen[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.from(chunk));
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks),
    });
    if (request.url === '/agencies') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          items: [agency('000.00.01.H48', 'province'), agency('000.00.00.G01', 'national-axis')],
        }),
      );
    } else if (request.url === '/redirect') {
      response.writeHead(302, {
        location: `${storageOrigin()}/bucket/key.pdf?X-Amz-Signature=abc`,
      });
      response.end();
    } else {
      response.writeHead(201, { 'x-upstream': 'yes', 'content-type': 'text/plain' });
      response.end('done');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, seen, url: `http://127.0.0.1:${port}` };
}

const agency = (code: string, channel: 'province' | 'national-axis') => ({
  code,
  codeStatus: 'illustrative',
  name: `Cơ quan ${code}`,
  kind: 'provincial-department',
  channel,
  enrolment: [],
  issues: false,
});

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

const auth: DevAuth = {
  secret: randomBytes(32),
  issuer: 'https://edoc-hub.local/dev-issuer',
  audience: 'edoc-hub-local',
};

let dir: string;
let api: Awaited<ReturnType<typeof startUpstream>>;
let storage: Awaited<ReturnType<typeof startUpstream>>;
let server: ConsoleServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edoc-console-server-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(join(dir, 'assets', 'index-abc.js'), 'export {};');
  await writeFile(join(dir, 'assets', 'index-abc.css'), 'body{}');
  storage = await startUpstream(() => storage.url);
  api = await startUpstream(() => storage.url);
  server = await startConsoleServer({
    port: 0,
    apiUrl: api.url,
    storageUrl: storage.url,
    auth,
    distDir: dir,
  });
});

afterAll(async () => {
  await server?.stop();
  if (api) await close(api.server);
  if (storage) await close(storage.server);
  await rm(dir, { recursive: true, force: true });
});

describe('startConsoleServer', () => {
  it('serves built files with their types, caching hashed assets for good', async () => {
    const script = await fetch(`${server.url}/assets/index-abc.js`);
    const style = await fetch(`${server.url}/assets/index-abc.css`);
    const index = await fetch(`${server.url}/`);

    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(await index.text()).toBe('<!doctype html><div id="app"></div>');
  });

  it('streams a multipart POST to storage unchanged, prefix removed, without the console token', async () => {
    const file = randomBytes(256 * 1024);
    const form = new FormData();
    form.append('key', 'incoming/abc.pdf');
    form.append('file', new Blob([file], { type: 'application/pdf' }), 'abc.pdf');
    const sent = new Request(`${server.url}/storage/bucket?x=1`, {
      method: 'POST',
      body: form,
      headers: { authorization: 'Bearer console-token' },
    });
    const contentType = sent.headers.get('content-type') ?? '';
    const body = Buffer.from(await sent.arrayBuffer());

    const answer = await fetch(`${server.url}/storage/bucket?x=1`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, authorization: 'Bearer console-token' },
    });

    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-upstream')).toBe('yes');
    const upstream = storage.seen.at(-1);
    expect(upstream?.method).toBe('POST');
    expect(upstream?.url).toBe('/bucket?x=1');
    expect(upstream?.headers['content-type']).toBe(contentType);
    expect(upstream?.headers.host).toBe(new URL(storage.url).host);
    expect(upstream?.headers.authorization).toBeUndefined();
    expect(upstream?.body.equals(body)).toBe(true);
    expect(upstream?.body.includes(file)).toBe(true);
  });

  it('forwards API calls with their method, token and body, and sends storage redirects through itself', async () => {
    const put = await fetch(`${server.url}/api/admin/agencies/000.00.01.H48`, {
      method: 'PUT',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"version":3}',
    });
    const redirect = await fetch(`${server.url}/api/redirect`, { redirect: 'manual' });

    expect(put.status).toBe(201);
    expect(api.seen.at(-2)).toMatchObject({
      method: 'PUT',
      url: '/admin/agencies/000.00.01.H48',
      headers: { authorization: 'Bearer t' },
    });
    expect(api.seen.at(-2)?.body.toString()).toBe('{"version":3}');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/storage/bucket/key.pdf?X-Amz-Signature=abc');
  });

  it('offers the agencies on the province channel for the dev sign-in, and signs their tokens', async () => {
    const config = ConfigSchema.parse(await (await fetch(`${server.url}/config.json`)).json());
    const signIn = await fetch(`${server.url}/dev/sign-in`, {
      method: 'POST',
      body: JSON.stringify({ agency: '000.00.01.H48', role: 'admin' }),
    });
    const { token } = z.object({ token: z.string() }).parse(await signIn.json());

    expect(config.auth.agencies).toEqual([
      { code: '000.00.01.H48', name: 'Cơ quan 000.00.01.H48' },
    ]);
    expect(config.storageRewrite).toEqual({ from: storage.url, to: '/storage' });
    expect(verifyDevToken(auth, token)).toMatchObject({
      'custom:agency': '000.00.01.H48',
      'custom:role': 'admin',
    });
  });

  it('refuses other methods on the console files and the sign-in', async () => {
    const post = await fetch(`${server.url}/index.html`, { method: 'POST' });
    const get = await fetch(`${server.url}/dev/sign-in`);

    expect(post.status).toBe(405);
    expect(get.status).toBe(405);
  });
});

const ConfigSchema = z.object({
  auth: z.object({ agencies: z.array(z.object({ code: z.string(), name: z.string() })) }),
  storageRewrite: z.object({ from: z.string(), to: z.string() }),
});
