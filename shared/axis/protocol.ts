import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Transport of the national document axis, as the public SDK describes it (domain.md): REST over
 * HTTPS, every request carrying the headers systemid, from, to, servicetype and messagetype,
 * signed with HMAC-SHA256 under the system secret; sendEdoc carries the raw edXML with `hash-file`
 * = SHA-256 hex of the body. What the SDK leaves open is fixed here, in one place, so the real
 * axis's variant can replace it without touching callers (all unconfirmed):
 *
 * - Header names are lower-case; `timestamp` (ISO 8601 UTC, milliseconds) and `signature` (lower-
 *   case hex) are added; `hash-file` is sent on every request with a body (sendEdoc, updateStatus).
 * - servicetype is `eDoc`; messagetype is `edoc`, `status` or `agency` (see MESSAGE_TYPES).
 * - The signature covers the method, path and body digest as well as the headers, so a signed
 *   request cannot be replayed against another call or with another body. See canonicalString.
 */

export const AXIS_HEADERS = {
  systemId: 'systemid',
  from: 'from',
  to: 'to',
  serviceType: 'servicetype',
  messageType: 'messagetype',
  timestamp: 'timestamp',
  hashFile: 'hash-file',
  signature: 'signature',
} as const;

export const SERVICE_TYPE = 'eDoc';

export const MESSAGE_TYPES = {
  edoc: 'edoc',
  status: 'status',
  agency: 'agency',
} as const;
export type MessageType = (typeof MESSAGE_TYPES)[keyof typeof MESSAGE_TYPES];

const isMessageType = (value: string | undefined): value is MessageType =>
  Object.values(MESSAGE_TYPES).some((t) => t === value);

/** Everything the signature covers. */
export interface AxisRequestParts {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path of the request URL as sent (percent-encoded), without the query string. */
  readonly path: string;
  readonly systemId: string;
  /** Our agency identifier. */
  readonly from: string;
  /** Recipient agency identifier(s), comma-separated; empty for calls without a recipient. */
  readonly to: string;
  readonly serviceType: string;
  readonly messageType: MessageType;
  /** ISO 8601 UTC with milliseconds, e.g. `2019-04-25T01:02:03.004Z`. */
  readonly timestamp: string;
  /** SHA-256 hex of the body bytes (of the empty string when there is no body). */
  readonly bodySha256: string;
}

/** SHA-256 hex of no bytes: the body digest of GET requests. */
export const EMPTY_BODY_SHA256 = createHash('sha256').digest('hex');

const UNSAFE = /[\r\n]/;

/**
 * The string the HMAC is computed over: these nine values, in this order, joined by a single LF
 * (0x0A), no trailing LF, encoded as UTF-8:
 *
 * ```
 * METHOD \n path \n systemid \n from \n to \n servicetype \n messagetype \n timestamp \n bodySha256
 * ```
 *
 * Values are used exactly as sent (no trimming, no case folding). A value containing CR or LF is
 * refused: it could shift the lines and make two different requests share one signature.
 */
export function canonicalString(parts: AxisRequestParts): string {
  const values = [
    parts.method,
    parts.path,
    parts.systemId,
    parts.from,
    parts.to,
    parts.serviceType,
    parts.messageType,
    parts.timestamp,
    parts.bodySha256,
  ];
  const unsafe = values.find((v) => UNSAFE.test(v));
  if (unsafe !== undefined) {
    throw new TypeError(`axis header value contains a line break: ${JSON.stringify(unsafe)}`);
  }
  return values.join('\n');
}

/** `signature` header: lower-case hex HMAC-SHA256 of the canonical string, keyed by the secret's UTF-8 bytes. */
export function signRequest(parts: AxisRequestParts, secret: string): string {
  return createHmac('sha256', secret).update(canonicalString(parts), 'utf8').digest('hex');
}

/** Constant-time check of a received signature (for stand-ins and inbound callbacks). */
export function verifyRequestSignature(
  parts: AxisRequestParts,
  secret: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signRequest(parts, secret), 'hex');
  const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The headers of one request, signature included. */
export function axisHeaders(
  parts: AxisRequestParts,
  secret: string,
  options: { readonly withHashFile: boolean },
): Record<string, string> {
  return {
    [AXIS_HEADERS.systemId]: parts.systemId,
    [AXIS_HEADERS.from]: parts.from,
    [AXIS_HEADERS.to]: parts.to,
    [AXIS_HEADERS.serviceType]: parts.serviceType,
    [AXIS_HEADERS.messageType]: parts.messageType,
    [AXIS_HEADERS.timestamp]: parts.timestamp,
    ...(options.withHashFile ? { [AXIS_HEADERS.hashFile]: parts.bodySha256 } : {}),
    [AXIS_HEADERS.signature]: signRequest(parts, secret),
  };
}

/** Read the signed parts back from received headers (a lower-case header map, as node:http gives). */
export function partsFromHeaders(
  method: string,
  path: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  bodySha256: string,
): AxisRequestParts | undefined {
  const get = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const messageType = get(AXIS_HEADERS.messageType);
  const fields = {
    systemId: get(AXIS_HEADERS.systemId),
    from: get(AXIS_HEADERS.from),
    to: get(AXIS_HEADERS.to) ?? '',
    serviceType: get(AXIS_HEADERS.serviceType),
    timestamp: get(AXIS_HEADERS.timestamp),
  };
  if (
    fields.systemId === undefined ||
    fields.from === undefined ||
    fields.serviceType === undefined ||
    fields.timestamp === undefined ||
    !isMessageType(messageType)
  ) {
    return undefined;
  }
  return {
    method,
    path,
    systemId: fields.systemId,
    from: fields.from,
    to: fields.to,
    serviceType: fields.serviceType,
    messageType,
    timestamp: fields.timestamp,
    bodySha256,
  };
}
