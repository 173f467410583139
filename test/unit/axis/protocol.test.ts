import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AxisRequestParts,
  axisHeaders,
  canonicalString,
  EMPTY_BODY_SHA256,
  partsFromHeaders,
  signRequest,
  verifyRequestSignature,
} from '#shared/axis/protocol.ts';

const SECRET = 'bí-mật-hệ-thống-48';
const body = Buffer.from('<edXML>…</edXML>', 'utf8');

function makeParts(overrides: Partial<AxisRequestParts> = {}): AxisRequestParts {
  return {
    method: 'POST',
    path: '/api/edocs',
    systemId: 'edoc-hub-h48',
    from: '000.00.00.H48',
    to: '000.00.00.G22',
    serviceType: 'eDoc',
    messageType: 'edoc',
    timestamp: '2019-04-25T01:02:03.004Z',
    bodySha256: createHash('sha256').update(body).digest('hex'),
    ...overrides,
  };
}

describe('axis request signing', () => {
  it('signs the documented canonical string: nine values joined by LF, HMAC-SHA256 hex', () => {
    const bodyDigest = createHash('sha256').update(body).digest('hex');
    const documented = [
      'POST',
      '/api/edocs',
      'edoc-hub-h48',
      '000.00.00.H48',
      '000.00.00.G22',
      'eDoc',
      'edoc',
      '2019-04-25T01:02:03.004Z',
      bodyDigest,
    ].join('\n');
    const expected = createHmac('sha256', Buffer.from(SECRET, 'utf8'))
      .update(Buffer.from(documented, 'utf8'))
      .digest('hex');

    expect(canonicalString(makeParts())).toBe(documented);
    expect(signRequest(makeParts(), SECRET)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the digest of no bytes for requests without a body', () => {
    expect(EMPTY_BODY_SHA256).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it.each([
    ['method', { method: 'GET' }],
    ['path', { path: '/api/status' }],
    ['system id', { systemId: 'other' }],
    ['from', { from: '000.00.00.H35' }],
    ['to', { to: '000.00.00.G12' }],
    ['service type', { serviceType: 'eDocX' }],
    ['message type', { messageType: 'status' as const }],
    ['timestamp', { timestamp: '2019-04-25T01:02:03.005Z' }],
    ['body digest', { bodySha256: EMPTY_BODY_SHA256 }],
  ])('changes the signature when the %s changes', (_name, change) => {
    expect(signRequest(makeParts(change), SECRET)).not.toBe(signRequest(makeParts(), SECRET));
  });

  it('refuses a header value with a line break, which could shift the canonical lines', () => {
    expect(() => signRequest(makeParts({ to: '000.00.00.G22\nPOST' }), SECRET)).toThrow(
      /line break/,
    );
    expect(() => signRequest(makeParts({ systemId: 'a\rb' }), SECRET)).toThrow(/line break/);
  });

  it('sends hash-file only when asked, and the headers read back into the same signed parts', () => {
    const parts = makeParts();
    const withBody = axisHeaders(parts, SECRET, { withHashFile: true });
    expect(withBody['hash-file']).toBe(parts.bodySha256);
    expect(withBody['signature']).toBe(signRequest(parts, SECRET));
    expect(axisHeaders(parts, SECRET, { withHashFile: false })).not.toHaveProperty('hash-file');

    const read = partsFromHeaders('POST', '/api/edocs', withBody, parts.bodySha256);
    expect(read).toEqual(parts);
    expect(verifyRequestSignature(parts, SECRET, withBody['signature'] ?? '')).toBe(true);
  });

  it('rejects a signature made with another secret or in another format', () => {
    const parts = makeParts();
    expect(verifyRequestSignature(parts, SECRET, signRequest(parts, 'wrong'))).toBe(false);
    expect(verifyRequestSignature(parts, SECRET, signRequest(parts, SECRET).toUpperCase())).toBe(
      false,
    );
    expect(verifyRequestSignature(parts, SECRET, '')).toBe(false);
  });

  it('reads no parts back when a signed header is missing or the message type is unknown', () => {
    const headers = axisHeaders(makeParts(), SECRET, { withHashFile: true });
    const { systemid: _dropped, ...withoutSystem } = headers;
    expect(
      partsFromHeaders('POST', '/api/edocs', withoutSystem, EMPTY_BODY_SHA256),
    ).toBeUndefined();
    expect(
      partsFromHeaders('POST', '/api/edocs', { ...headers, messagetype: 'x' }, EMPTY_BODY_SHA256),
    ).toBeUndefined();
  });
});
