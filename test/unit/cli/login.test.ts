import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiClientFrom } from '#cli/api-client.ts';
import { main } from '#cli/main.ts';

/** The hosted UI's token endpoint: answers only the code it issued, with the PKCE verifier. */
function fakeCognito(code: string) {
  const requests: URLSearchParams[] = [];
  let challenge = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      const verifier = form.get('code_verifier') ?? '';
      const matches =
        createHash('sha256').update(verifier).digest('base64url') === challenge &&
        form.get('code') === code &&
        form.get('grant_type') === 'authorization_code';
      res.writeHead(matches ? 200 : 400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          matches
            ? { id_token: 'header.payload.signature', expires_in: 3600 }
            : { error: 'invalid_grant' },
        ),
      );
    });
  });
  return {
    server,
    requests,
    expectChallenge: (value: string) => {
      challenge = value;
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edoc-login-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('edoc login', () => {
  it('signs in with the code flow and PKCE on a loopback redirect, and the API commands use the saved token', async () => {
    const cognito = fakeCognito('the-code');
    await new Promise<void>((resolve) => cognito.server.listen(0, '127.0.0.1', resolve));
    const domain = `http://127.0.0.1:${(cognito.server.address() as AddressInfo).port}`;
    const tokenFile = join(dir, 'nested', 'token');
    vi.stubEnv('EDOC_TOKEN_FILE', tokenFile);
    vi.stubEnv('EDOC_TOKEN', '');
    const printed: string[] = [];
    let browser: Promise<Response> | undefined;
    const log = vi.spyOn(console, 'log').mockImplementation((line) => {
      printed.push(String(line));
      const url = String(line)
        .split('\n')
        .find((l) => l.includes('/oauth2/authorize'));
      if (url === undefined) return;
      // The browser: Cognito sends it back to the redirect URI with a code and the state.
      const authorize = new URL(url);
      cognito.expectChallenge(authorize.searchParams.get('code_challenge') ?? '');
      const back = new URL(authorize.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'the-code');
      back.searchParams.set('state', authorize.searchParams.get('state') ?? '');
      browser = fetch(back.toString().replace('localhost', '127.0.0.1'));
    });
    try {
      const code = await main([
        'login',
        '--domain',
        domain,
        '--client-id',
        'cli-client',
        '--port',
        '0',
      ]);

      expect(code, printed.join('\n')).toBe(0);
      expect((await browser)?.status).toBe(200);
      const [form] = cognito.requests;
      expect(form?.get('client_id')).toBe('cli-client');
      expect(form?.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/callback$/);
      expect(await readFile(tokenFile, 'utf8')).toBe('header.payload.signature\n');
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
      expect(apiClientFrom({}, { EDOC_TOKEN_FILE: tokenFile })).toBeDefined();
    } finally {
      log.mockRestore();
      cognito.server.close();
    }
  });

  it('refuses an answer that does not carry the state of this sign-in', async () => {
    vi.stubEnv('EDOC_TOKEN_FILE', join(dir, 'other-token'));
    let browser: Promise<Response> | undefined;
    const log = vi.spyOn(console, 'log').mockImplementation((line) => {
      const url = String(line)
        .split('\n')
        .find((l) => l.includes('/oauth2/authorize'));
      if (url === undefined) return;
      const back = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'stolen');
      back.searchParams.set('state', 'forged');
      browser = fetch(back.toString().replace('localhost', '127.0.0.1'));
    });
    try {
      const errors: string[] = [];
      const error = vi
        .spyOn(console, 'error')
        .mockImplementation((line) => errors.push(String(line)));
      const code = await main([
        'login',
        '--domain',
        'http://127.0.0.1:9',
        '--client-id',
        'c',
        '--port',
        '0',
      ]);
      error.mockRestore();

      expect(code).toBe(1);
      expect(errors.join('\n')).toMatch(/state/);
      await expect(stat(join(dir, 'other-token'))).rejects.toThrow();
      expect((await browser)?.status).toBe(400);
    } finally {
      log.mockRestore();
    }
  });

  it('needs the hosted UI domain and the client id', async () => {
    vi.stubEnv('EDOC_COGNITO_DOMAIN', '');
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main(['login'])).toBe(2);
    } finally {
      error.mockRestore();
    }
  });
});
