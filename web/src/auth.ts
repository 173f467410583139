import * as z from 'zod';
import type { CognitoAuthConfig, DevAuthConfig } from './config.ts';

export interface Session {
  readonly token: string;
  readonly agency: string;
  readonly role: 'agency' | 'admin';
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

const STORAGE_KEY = 'edoc-hub.session';
const PKCE_KEY = 'edoc-hub.pkce';

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

const claimsSchema = z.object({
  'custom:agency': z.string().min(1),
  'custom:role': z.enum(['agency', 'admin']),
  exp: z.number().optional(),
});
const tokenAnswerSchema = z.object({ token: z.string() });
const pkceSchema = z.object({ verifier: z.string(), state: z.string() });
const cognitoTokensSchema = z.object({ id_token: z.string() });

const base64UrlEncode = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * Reads the claims the API authorizes on (`custom:agency`, `custom:role`) for display and
 * navigation only: the API checks the signature, the console never trusts these for access.
 */
export function sessionFromToken(token: string): Session {
  const payload = token.split('.')[1];
  if (payload === undefined) throw new Error('not a JWT');
  const claims = claimsSchema.safeParse(JSON.parse(base64UrlDecode(payload)));
  if (!claims.success) throw new Error('the token names no agency or role');
  return {
    token,
    agency: claims.data['custom:agency'],
    role: claims.data['custom:role'],
    expiresAt: claims.data.exp ?? 0,
  };
}

/** The stored session, while it has not expired; kept per tab (sessionStorage). */
export function storedSession(now = Date.now()): Session | undefined {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (token === null) return undefined;
  try {
    const session = sessionFromToken(token);
    if (session.expiresAt * 1000 > now) return session;
  } catch {
    // A damaged entry is dropped below.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return undefined;
}

export function storeSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, session.token);
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** Local stack only: the console server signs a development token. */
export async function devSignIn(
  config: DevAuthConfig,
  request: { agency: string; role: 'agency' | 'admin' },
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): Promise<Session> {
  const response = await fetchImpl(config.signInUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const answer = tokenAnswerSchema.safeParse(await response.json());
  if (!answer.success) throw new Error('no token in the answer');
  return sessionFromToken(answer.data.token);
}

const redirectUri = () => `${location.origin}${location.pathname}`;

/** Sends the browser to the Cognito hosted UI with a PKCE challenge (S256). */
export async function startCognitoSignIn(config: CognitoAuthConfig): Promise<void> {
  const verifier = base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64UrlEncode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL('/oauth2/authorize', config.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope ?? 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  location.assign(url.toString());
}

/**
 * Back from the hosted UI with `?code=&state=`: exchanges the code for tokens and keeps the ID
 * token, which carries the agency and role claims the API reads. Undefined when not returning.
 */
export async function completeCognitoSignIn(
  config: CognitoAuthConfig,
): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const stored = sessionStorage.getItem(PKCE_KEY);
  if (code === null || stored === null) return undefined;
  sessionStorage.removeItem(PKCE_KEY);
  const { verifier, state } = pkceSchema.parse(JSON.parse(stored));
  if (params.get('state') !== state) throw new Error('the sign-in answer does not match');
  const response = await fetch(new URL('/oauth2/token', config.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`token endpoint: HTTP ${response.status}`);
  const tokens = cognitoTokensSchema.safeParse(await response.json());
  if (!tokens.success) throw new Error('no ID token');
  history.replaceState(null, '', redirectUri() + location.hash);
  return sessionFromToken(tokens.data.id_token);
}

export function cognitoSignOutUrl(config: CognitoAuthConfig): string {
  const url = new URL('/logout', config.domain);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    logout_uri: redirectUri(),
  }).toString();
  return url.toString();
}
