import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { parseCommandArgs, UsageError } from './usage.ts';

/** Where `edoc login` keeps the token and the API commands look for it after `EDOC_TOKEN`. */
export function tokenFile(env: { readonly EDOC_TOKEN_FILE?: string | undefined } = process.env) {
  const configured = env.EDOC_TOKEN_FILE;
  return configured !== undefined && configured !== ''
    ? configured
    : join(homedir(), '.config', 'edoc', 'token');
}

/** The loopback port registered on the CLI app client (`CLI_LOGIN_PORT` in the stateful stack). */
export const DEFAULT_LOGIN_PORT = 8765;

const tokenResponseSchema = z.object({ id_token: z.string().min(1), expires_in: z.number() });

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * `edoc login`: signs in through the Cognito hosted UI with the authorization code flow and PKCE
 * on a loopback redirect (`http://localhost:<port>/callback`, registered on the CLI app client),
 * as command-line tools sign in to a browser-based identity provider; the ID token the API's JWT
 * authorizer checks is saved, readable by the user only.
 */
export async function loginCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    domain: { type: 'string' },
    'client-id': { type: 'string' },
    port: { type: 'string', default: String(DEFAULT_LOGIN_PORT) },
    timeout: { type: 'string', default: '300' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const domain = values.domain ?? process.env['EDOC_COGNITO_DOMAIN'];
  const clientId = values['client-id'] ?? process.env['EDOC_COGNITO_CLIENT_ID'];
  if (domain === undefined || clientId === undefined) {
    throw new UsageError(
      'give --domain <https://….amazoncognito.com> and --client-id <id> (stack outputs HostedUiDomain and CliClientId), or EDOC_COGNITO_DOMAIN and EDOC_COGNITO_CLIENT_ID',
    );
  }
  if (!/^https?:\/\//.test(domain)) throw new UsageError(`--domain must be a URL: ${domain}`);
  const port = Number(values.port);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port');
  if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a number of seconds');

  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const base = domain.replace(/\/+$/, '');

  const { code, redirectUri } = await new Promise<{ code: string; redirectUri: string }>(
    (resolve, reject) => {
      let redirect = '';
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname !== '/callback') {
          res.writeHead(404).end();
          return;
        }
        const done = (status: number, text: string) => {
          res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
          server.close();
          clearTimeout(timer);
        };
        const error = url.searchParams.get('error');
        const received = url.searchParams.get('code');
        if (error !== null || received === null) {
          done(400, 'Đăng nhập không thành công. Sign-in failed.');
          reject(new Error(`sign-in refused: ${error ?? 'no code'}`));
        } else if (url.searchParams.get('state') !== state) {
          done(400, 'Sai tham số state. Wrong state.');
          reject(new Error('the answer does not carry the state of this sign-in'));
        } else {
          done(
            200,
            'Đã đăng nhập; hãy quay lại cửa sổ dòng lệnh. Signed in; return to the terminal.',
          );
          resolve({ code: received, redirectUri: redirect });
        }
      });
      const timer = setTimeout(() => {
        server.close();
        reject(new Error('no sign-in arrived in time'));
      }, timeoutMs);
      server.listen(port, '127.0.0.1', () => {
        redirect = `http://localhost:${(server.address() as AddressInfo).port}/callback`;
        const authorize = new URL(`${base}/oauth2/authorize`);
        for (const [key, value] of Object.entries({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirect,
          scope: 'openid email profile',
          state,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        })) {
          authorize.searchParams.set(key, value);
        }
        console.log(`Open this address in a browser to sign in:\n${authorize.toString()}`);
      });
      server.on('error', reject);
    },
  );

  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  if (!response.ok) {
    console.error(`edoc: the token endpoint answered ${response.status}: ${await response.text()}`);
    return 1;
  }
  const tokens = tokenResponseSchema.parse(await response.json());
  const file = tokenFile();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${tokens.id_token}\n`, { mode: 0o600 });
  const until = new Date(Date.now() + tokens.expires_in * 1000).toISOString();
  console.log(`signed in; the token is saved in ${file} until ${until}`);
  return 0;
}
