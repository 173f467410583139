import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from 'zod';

/** The issuer and audience local tokens carry, as the Cognito pool and app client do deployed. */
export const DEV_ISSUER = 'https://edoc-hub.local/dev-issuer';
export const DEV_AUDIENCE = 'edoc-hub-local';

export type DevRole = 'agency' | 'admin';

/** What the local API checks a token against. */
export interface DevAuth {
  readonly secret: Buffer;
  readonly issuer: string;
  readonly audience: string;
}

/**
 * The HS256 secret of local tokens, `jwt-secret` under the state dir: made at first start
 * (32 random bytes, mode 0600) so tokens stay valid across restarts and no two machines share one.
 */
export async function loadDevAuth(stateDir: string): Promise<DevAuth> {
  const file = join(stateDir, 'jwt-secret');
  let secret: Buffer;
  try {
    secret = Buffer.from((await readFile(file, 'latin1')).trim(), 'base64url');
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    secret = randomBytes(32);
    await mkdir(stateDir, { recursive: true });
    await writeFile(file, `${secret.toString('base64url')}\n`, { mode: 0o600 });
  }
  if (secret.length < 32) throw new Error(`${file} holds fewer than 32 bytes; delete it`);
  return { secret, issuer: DEV_ISSUER, audience: DEV_AUDIENCE };
}

export interface DevTokenOptions {
  readonly agency: string;
  /** @default 'agency' */
  readonly role?: DevRole;
  /** @default 12 hours */
  readonly ttlSeconds?: number;
  /** @default now */
  readonly now?: Date;
}

/** A token shaped like a Cognito ID token of an agency user, signed with the local secret. */
export function signDevToken(auth: DevAuth, options: DevTokenOptions): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const role = options.role ?? 'agency';
  const payload = {
    sub: `local-${role}-${options.agency}`,
    iss: auth.issuer,
    aud: auth.audience,
    token_use: 'id',
    iat,
    exp: iat + (options.ttlSeconds ?? 12 * 3600),
    'custom:agency': options.agency,
    'custom:role': role,
  };
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${signingInput}.${hmac(auth.secret, signingInput).toString('base64url')}`;
}

/** Why a token was refused; the API answers 401 either way, as API Gateway does. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const HeaderSchema = z.object({ alg: z.literal('HS256'), typ: z.string().optional() });
const ClaimsSchema = z
  .object({
    iss: z.string(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    client_id: z.string().optional(),
    exp: z.number(),
    nbf: z.number().optional(),
    iat: z.number().optional(),
    scope: z.string().optional(),
  })
  .catchall(z.unknown());
export type DevClaims = z.infer<typeof ClaimsSchema>;

/**
 * Checks a token the way API Gateway's JWT authorizer does: signature (HS256 only, so neither
 * `alg: none` nor a swapped algorithm passes), `exp` and `nbf`, `iss`, and `aud` or `client_id`
 * among the accepted audiences. Returns the claims.
 */
export function verifyDevToken(auth: DevAuth, token: string, now = new Date()): DevClaims {
  const parts = token.split('.');
  const [header, payload, signature] = parts;
  if (
    parts.length !== 3 ||
    header === undefined ||
    payload === undefined ||
    signature === undefined
  ) {
    throw new InvalidTokenError('not a JWS compact serialization');
  }
  if (!HeaderSchema.safeParse(decode(header)).success) {
    throw new InvalidTokenError('the token is not signed with HS256');
  }
  const expected = hmac(auth.secret, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidTokenError('the signature does not verify');
  }
  const parsed = ClaimsSchema.safeParse(decode(payload));
  if (!parsed.success) throw new InvalidTokenError('the claims are malformed');
  const claims = parsed.data;
  const seconds = now.getTime() / 1000;
  if (claims.exp <= seconds) throw new InvalidTokenError('the token has expired');
  if (claims.nbf !== undefined && claims.nbf > seconds) {
    throw new InvalidTokenError('the token is not valid yet');
  }
  if (claims.iss !== auth.issuer) throw new InvalidTokenError('the issuer is not accepted');
  const audiences = [claims.aud ?? [], claims.client_id ?? []].flat();
  if (!audiences.includes(auth.audience)) {
    throw new InvalidTokenError('the audience is not accepted');
  }
  return claims;
}

const hmac = (secret: Buffer, input: string) => createHmac('sha256', secret).update(input).digest();

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('a token part is not base64url JSON');
  }
}

/** `node scripts/local/dev-token.ts --agency <code> [--role agency|admin] [--hours <n>]` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      agency: { type: 'string' },
      role: { type: 'string', default: 'agency' },
      hours: { type: 'string', default: '12' },
    },
  });
  const role = z.enum(['agency', 'admin']).safeParse(values.role);
  const hours = Number(values.hours);
  if (values.agency === undefined || !role.success || !(hours > 0)) {
    console.error('usage: dev-token.ts --agency <code> [--role agency|admin] [--hours <n>]');
    process.exitCode = 2;
    return;
  }
  const stateDir = fileURLToPath(new URL('../../.edoc-local/', import.meta.url));
  const auth = await loadDevAuth(stateDir);
  console.log(
    signDevToken(auth, { agency: values.agency, role: role.data, ttlSeconds: hours * 3600 }),
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
