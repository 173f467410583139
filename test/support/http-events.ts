import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

export interface HttpEventOptions {
  readonly method?: string;
  readonly path?: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  /** `null` sends the request with no authorizer context at all. */
  readonly claims?: Record<string, string> | null;
}

/**
 * An HTTP API payload v2 event as API Gateway sends it after the JWT authorizer. Without
 * `claims`, the caller is an agency account of `defaultAgency`.
 */
export function makeHttpEvent(
  options: HttpEventOptions = {},
  defaultAgency = '000.00.08.H48',
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/documents';
  const claims =
    options.claims === undefined
      ? { sub: 'user-1', 'custom:agency': defaultAgency, 'custom:role': 'agency' }
      : options.claims;
  const query = options.query ?? {};
  const event = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: { ...query } } : {}),
    headers: { 'content-type': options.contentType ?? 'application/json' },
    body:
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    isBase64Encoded: false,
    requestContext: {
      accountId: '111122223333',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '20/May/2019:02:00:00 +0000',
      timeEpoch: Date.parse('2019-05-20T02:00:00Z'),
      ...(claims === null
        ? {}
        : {
            authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null } },
          }),
    },
  };
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}
