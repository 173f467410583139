import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CmsFormatError, onlySigner, parseSignedData } from '#signature/cms.ts';
import { parseTimestampToken, verifyTimestampToken } from '#signature/timestamp.ts';
import { contentOf } from '#signature/verify-cms.ts';
import { flipByteOf, makeSignaturePki, type SignaturePki } from './test-pki.ts';

let pki: SignaturePki;
let signatureValue: Buffer;
let token: Buffer;
beforeAll(() => {
  pki = makeSignaturePki();
  const cms = pki.sign({ signer: pki.rsaSigner, content: Buffer.from('%PDF-1.7 signed') });
  signatureValue = onlySigner(parseSignedData(cms)).signature;
  token = pki.timestamp(signatureValue);
});
afterAll(() => pki.cleanup());

const trust = () => ({
  trustAnchors: [pki.root.der],
  intermediates: [pki.intermediate.der],
  validationTime: new Date(Date.now() + 60_000),
});

describe('parseTimestampToken', () => {
  it('reads the TSTInfo', () => {
    const { tstInfo } = parseTimestampToken(token);

    expect(tstInfo.policy).toBe('1.2.3.4.1');
    expect(tstInfo.messageImprint.hashedMessage).toEqual(
      createHash('sha256').update(signatureValue).digest(),
    );
    expect(tstInfo.accuracyMs).toBe(1000);
    expect(Math.abs(tstInfo.genTime.getTime() - Date.now())).toBeLessThan(120_000);
  });

  it('refuses a CMS that does not encapsulate a TSTInfo', () => {
    const cms = pki.sign({ signer: pki.ecSigner, content: Buffer.from('x'), encapsulate: true });
    expect(() => parseTimestampToken(cms)).toThrow(CmsFormatError);
  });
});

describe('verifyTimestampToken', () => {
  it('accepts a signature timestamp over the signature value', () => {
    const result = verifyTimestampToken(token, { ...trust(), timestamped: { signatureValue } });

    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.messageImprint).toBe('match');
    expect(result.genTime).toEqual(parseTimestampToken(token).tstInfo.genTime);
    expect(result.tsa?.commonName).toBe('Test TSA');
    expect(result.chain).toHaveLength(3);
  });

  it('is HASH_FAILURE when the imprint is not the hash of the timestamped signature', () => {
    const result = verifyTimestampToken(token, {
      ...trust(),
      timestamped: { signatureValue: Buffer.from('another signature') },
    });
    expect(result.indication).toBe('TOTAL_FAILED');
    expect(result.subIndication).toBe('HASH_FAILURE');
    expect(result.messageImprint).toBe('mismatch');
  });

  it('accepts a document timestamp over caller-digested content', () => {
    const document = Buffer.from('%PDF-1.7 whole revision bytes');
    const docToken = pki.timestamp(document);
    const result = verifyTimestampToken(docToken, {
      ...trust(),
      timestamped: { content: contentOf(document) },
    });
    expect(result.indication).toBe('TOTAL_PASSED');
  });

  it('is NO_CERTIFICATE_CHAIN_FOUND when the TSA is not trusted', () => {
    const result = verifyTimestampToken(token, {
      ...trust(),
      trustAnchors: [],
      timestamped: { signatureValue },
    });
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('is SIG_CRYPTO_FAILURE when the token signature is altered', () => {
    const tsaSignature = onlySigner(parseSignedData(token)).signature;
    const result = verifyTimestampToken(flipByteOf(token, tsaSignature, 10), {
      ...trust(),
      timestamped: { signatureValue },
    });
    expect(result.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('is FORMAT_FAILURE for a malformed token', () => {
    const result = verifyTimestampToken(token.subarray(0, 100), {
      ...trust(),
      timestamped: { signatureValue },
    });
    expect(result.indication).toBe('TOTAL_FAILED');
    expect(result.subIndication).toBe('FORMAT_FAILURE');
  });
});
