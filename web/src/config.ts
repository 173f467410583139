/**
 * `config.json`, written beside the built console by whoever serves it: the local console server
 * on `npm start`, the CDK deployment in AWS. The build itself holds no deployment's address.
 */
export interface ConsoleConfig {
  /** Base URL of the agencies' API, absolute or relative to the console (`/api`). */
  readonly apiUrl: string;
  readonly auth: DevAuthConfig | CognitoAuthConfig;
  /**
   * Rewrites the origin of pre-signed upload and download URLs, so a local S3 stand-in without
   * CORS can be reached through the console's own origin. Never set in AWS.
   */
  readonly storageRewrite?: { readonly from: string; readonly to: string };
}

/** The local stack: `POST {signInUrl}` with `{ agency, role }` answers `{ token }`. */
export interface DevAuthConfig {
  readonly kind: 'dev';
  readonly signInUrl: string;
  readonly agencies: readonly { readonly code: string; readonly name: string }[];
}

/** Cognito hosted UI, authorization code flow with PKCE. */
export interface CognitoAuthConfig {
  readonly kind: 'cognito';
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  readonly domain: string;
  readonly clientId: string;
  /** @default 'openid email profile' */
  readonly scope?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the fields the console relies on; a broken file is a deployment error worth naming. */
export function parseConfig(value: unknown): ConsoleConfig {
  if (!isRecord(value) || typeof value['apiUrl'] !== 'string' || !isRecord(value['auth'])) {
    throw new Error('config.json needs apiUrl and auth');
  }
  const auth = value['auth'];
  const rewrite = value['storageRewrite'];
  const storageRewrite =
    isRecord(rewrite) && typeof rewrite['from'] === 'string' && typeof rewrite['to'] === 'string'
      ? { from: rewrite['from'], to: rewrite['to'] }
      : undefined;
  const base = { apiUrl: value['apiUrl'], ...(storageRewrite ? { storageRewrite } : {}) };
  if (auth['kind'] === 'dev' && typeof auth['signInUrl'] === 'string') {
    const agencies = Array.isArray(auth['agencies'])
      ? auth['agencies'].filter(
          (a): a is { code: string; name: string } =>
            isRecord(a) && typeof a['code'] === 'string' && typeof a['name'] === 'string',
        )
      : [];
    return { ...base, auth: { kind: 'dev', signInUrl: auth['signInUrl'], agencies } };
  }
  if (
    auth['kind'] === 'cognito' &&
    typeof auth['domain'] === 'string' &&
    typeof auth['clientId'] === 'string'
  ) {
    return {
      ...base,
      auth: {
        kind: 'cognito',
        domain: auth['domain'],
        clientId: auth['clientId'],
        ...(typeof auth['scope'] === 'string' ? { scope: auth['scope'] } : {}),
      },
    };
  }
  throw new Error('config.json: auth.kind must be "dev" (with signInUrl) or "cognito"');
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  // A new deployment's config must win over a cached one (a request header rather than the
  // `cache` option, which Node's fetch types, used when tests import this file, do not have).
  const response = await fetchImpl('./config.json', { headers: { 'cache-control': 'no-cache' } });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return parseConfig(await response.json());
}

/** Applies `storageRewrite` to a pre-signed URL. */
export function storageUrl(config: ConsoleConfig, url: string): string {
  const rewrite = config.storageRewrite;
  return rewrite && url.startsWith(rewrite.from)
    ? rewrite.to + url.slice(rewrite.from.length)
    : url;
}
