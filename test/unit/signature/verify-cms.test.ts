import { createPrivateKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Oids, onlySigner, parseSignedData, type SignedDataInfo } from '#signature/cms.ts';
import { checkAlgorithms, DEFAULT_POLICY } from '#signature/policy.ts';
import {
  contentOf,
  resolveSignatureAlgorithm,
  type SignedContent,
  verifySignatureValue,
  verifySignerInfo,
} from '#signature/verify-cms.ts';
import { flipByteOf, makeSignaturePki, type SignaturePki } from './test-pki.ts';

let pki: SignaturePki;
beforeAll(() => {
  pki = makeSignaturePki();
});
afterAll(() => pki.cleanup());

const content = Buffer.from('%PDF-1.7 Quyết định số 12/QĐ-UBND, nội dung đã ký');
const otherContent = Buffer.from('%PDF-1.7 Quyết định số 13/QĐ-UBND, nội dung khác');

function verify(cms: Buffer, signed: SignedContent = contentOf(content), extra: Buffer[] = []) {
  const sd = parseSignedData(cms);
  return verifySignerInfo(sd, onlySigner(sd), { content: signed, extraCertificates: extra });
}

/** Only the digest, as the PDF layer gives it when it has hashed the ByteRange already. */
const digestOnly = (data: Buffer): SignedContent => ({ digest: contentOf(data).digest });

describe('verifySignerInfo accepts intact signatures', () => {
  it.each([
    ['RSA PKCS#1 v1.5 with SHA-256', () => pki.sign({ signer: pki.rsaSigner, content })],
    ['RSA with SHA-512', () => pki.sign({ signer: pki.rsaSigner, content, md: 'sha512' })],
    ['RSA-PSS', () => pki.sign({ signer: pki.rsaSigner, content, pss: true })],
    ['ECDSA P-256 with SHA-256', () => pki.sign({ signer: pki.ecSigner, content })],
    ['ECDSA P-256 with SHA-384', () => pki.sign({ signer: pki.ecSigner, content, md: 'sha384' })],
  ])('%s', (_name, make) => {
    const result = verify(make());

    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.messageDigest).toBe('match');
    expect(result.signatureValue).toBe('valid');
  });

  it('names the algorithms it verified', () => {
    const result = verify(pki.sign({ signer: pki.ecSigner, content, md: 'sha384' }));
    expect(result.digestAlgorithm).toBe('sha384');
    expect(result.signatureAlgorithm).toBe('ecdsa-with-SHA384');
    expect(result.signerCertificate?.der).toEqual(pki.ecSigner.der);
  });

  it('verifies encapsulated content', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.ecSigner, content, encapsulate: true }));
    const result = verifySignerInfo(sd, onlySigner(sd), {
      content: contentOf(sd.encapContentInfo.eContent ?? Buffer.alloc(0)),
    });
    expect(result.indication).toBe('TOTAL_PASSED');
  });

  it('verifies RSA without signed attributes from the content digest alone', () => {
    const result = verify(
      pki.sign({ signer: pki.rsaSigner, content, noAttributes: true }),
      digestOnly(content),
    );
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.messageDigest).toBe('absent');
    expect(result.signatureValue).toBe('valid');
  });

  it.each([
    ['ECDSA', () => pki.sign({ signer: pki.ecSigner, content, noAttributes: true })],
    ['RSA-PSS', () => pki.sign({ signer: pki.rsaSigner, content, pss: true, noAttributes: true })],
  ])('verifies %s without signed attributes over the content chunks', (_name, make) => {
    const chunks = [content.subarray(0, 10), content.subarray(10)];
    expect(verify(make(), contentOf(chunks)).indication).toBe('TOTAL_PASSED');
  });

  it('asks for the content when only a digest is given for ECDSA without signed attributes', () => {
    const result = verify(
      pki.sign({ signer: pki.ecSigner, content, noAttributes: true }),
      digestOnly(content),
    );
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('SIGNED_DATA_NOT_FOUND');
  });
});

describe('verifySignerInfo rejects altered signatures', () => {
  it('reports HASH_FAILURE when the content differs from the signed digest', () => {
    const result = verify(pki.sign({ signer: pki.rsaSigner, content }), contentOf(otherContent));

    expect(result.indication).toBe('TOTAL_FAILED');
    expect(result.subIndication).toBe('HASH_FAILURE');
    expect(result.messageDigest).toBe('mismatch');
  });

  it.each([
    ['RSA', () => pki.sign({ signer: pki.rsaSigner, content })],
    ['ECDSA', () => pki.sign({ signer: pki.ecSigner, content })],
    ['RSA-PSS', () => pki.sign({ signer: pki.rsaSigner, content, pss: true })],
  ])('reports SIG_CRYPTO_FAILURE for a flipped %s signature byte', (_name, make) => {
    const cms = make();
    const signature = onlySigner(parseSignedData(cms)).signature;
    const result = verify(flipByteOf(cms, signature, 20));

    expect(result.indication).toBe('TOTAL_FAILED');
    expect(result.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('reports SIG_CRYPTO_FAILURE when a signed attribute is altered', () => {
    const cms = pki.sign({ signer: pki.ecSigner, content });
    const signingTimeOid = Buffer.from('06092a864886f70d010905', 'hex');
    // The last digit of the seconds in "YYMMDDHHMMSSZ", after the OID, SET and UTCTime headers.
    const result = verify(flipByteOf(cms, signingTimeOid, signingTimeOid.length + 2 + 2 + 11, 1));
    expect(result.subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('reports SIG_CRYPTO_FAILURE for RSA without signed attributes over other content', () => {
    const cms = pki.sign({ signer: pki.rsaSigner, content, noAttributes: true });
    expect(verify(cms, digestOnly(otherContent)).subIndication).toBe('SIG_CRYPTO_FAILURE');
  });

  it('reports FORMAT_FAILURE when the content-type attribute differs from eContentType', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.ecSigner, content }));
    const relabelled: SignedDataInfo = {
      ...sd,
      encapContentInfo: { ...sd.encapContentInfo, eContentType: Oids.tstInfo },
    };
    const result = verifySignerInfo(relabelled, onlySigner(sd), { content: contentOf(content) });
    expect(result.subIndication).toBe('FORMAT_FAILURE');
  });
});

describe('signer certificate lookup', () => {
  it('is INDETERMINATE when the CMS omits the signer certificate', () => {
    const result = verify(pki.sign({ signer: pki.ecSigner, content, noCerts: true }));
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_SIGNING_CERTIFICATE_FOUND');
  });

  it('finds the signer certificate among configured certificates', () => {
    const cms = pki.sign({ signer: pki.ecSigner, content, noCerts: true });
    const result = verify(cms, contentOf(content), [pki.intermediate.der, pki.ecSigner.der]);
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.signerCertificate?.der).toEqual(pki.ecSigner.der);
  });

  it('confirms the ESS signing-certificate-v2 attribute', () => {
    const result = verify(pki.sign({ signer: pki.rsaSigner, content, cades: true }));
    expect(result.signingCertificateAttribute).toBe('match');
    expect(result.indication).toBe('TOTAL_PASSED');
  });

  it('refuses a signature re-attributed to another certificate of the same key', () => {
    const cms = pki.sign({ signer: pki.rsaSigner, content, cades: true, noCerts: true });
    const ownSerial = new X509Certificate(pki.rsaSigner.der).serialNumber;
    const twinSerial = new X509Certificate(pki.rsaTwin.der).serialNumber;
    const sid = Buffer.from(`0202${ownSerial}`, 'hex');
    const swapped = Buffer.from(cms);
    Buffer.from(`0202${twinSerial}`, 'hex').copy(swapped, swapped.indexOf(sid));

    const result = verify(swapped, contentOf(content), [pki.rsaTwin.der]);

    expect(result.signerCertificate?.der).toEqual(pki.rsaTwin.der);
    expect(result.signatureValue).toBe('valid');
    expect(result.signingCertificateAttribute).toBe('mismatch');
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_SIGNING_CERTIFICATE_FOUND');
  });
});

describe('algorithm policy', () => {
  it('puts a valid SHA-1 signature below the default policy', () => {
    const result = verify(pki.sign({ signer: pki.rsaSigner, content, md: 'sha1' }));

    expect(result.signatureValue).toBe('valid');
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
    expect(result.reasons.join()).toMatch(/sha1/);
  });

  it('accepts SHA-1 when the policy does', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.rsaSigner, content, md: 'sha1' }));
    const policy = { ...DEFAULT_POLICY, acceptedDigests: ['sha1' as const, 'sha256' as const] };
    const result = verifySignerInfo(sd, onlySigner(sd), { content: contentOf(content), policy });
    expect(result.indication).toBe('TOTAL_PASSED');
  });

  it('refuses an RSA key shorter than the policy minimum', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.rsaSigner, content }));
    const policy = { ...DEFAULT_POLICY, minRsaBits: 3072 };
    const result = verifySignerInfo(sd, onlySigner(sd), { content: contentOf(content), policy });
    expect(result.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
    expect(result.reasons.join()).toMatch(/2048-bit/);
  });

  it('refuses curves outside the accepted list', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const check = checkAlgorithms(DEFAULT_POLICY, {
      hash: 'sha256',
      publicKey,
      purpose: 'signature',
    });
    expect(check.ok).toBe(false);
  });

  it('accepts SHA-1 on certificates issued before the configured date only', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const policy = { ...DEFAULT_POLICY, allowSha1ForCertificatesBefore: new Date('2020-01-01') };
    const use = { hash: 'sha1' as const, publicKey, purpose: 'certificate' as const };
    expect(checkAlgorithms(policy, { ...use, issuedAt: new Date('2015-01-01') }).ok).toBe(true);
    expect(checkAlgorithms(policy, { ...use, issuedAt: new Date('2021-01-01') }).ok).toBe(false);
    expect(checkAlgorithms(policy, { ...use, purpose: 'signature' }).ok).toBe(false);
  });
});

describe('verifySignatureValue', () => {
  it('verifies Ed25519 and rejects a tampered message', () => {
    const key = createPrivateKey(readFileSync(pki.edSigner.keyFile));
    const publicKey = new X509Certificate(pki.edSigner.der).publicKey;
    const signature = sign(null, content, key);
    const algorithm = resolveSignatureAlgorithm({ oid: '1.3.101.112' });
    if (!algorithm.ok) throw new Error(algorithm.reason);

    expect(verifySignatureValue(algorithm, publicKey, content, signature)).toBe(true);
    expect(verifySignatureValue(algorithm, publicKey, otherContent, signature)).toBe(false);
  });

  it('reports a key of the wrong family as invalid instead of throwing', () => {
    const publicKey = new X509Certificate(pki.ecSigner.der).publicKey;
    const algorithm = resolveSignatureAlgorithm({ oid: '1.2.840.113549.1.1.11' });
    if (!algorithm.ok) throw new Error(algorithm.reason);
    expect(verifySignatureValue(algorithm, publicKey, content, Buffer.alloc(256))).toBe(false);
  });

  it('knows Ed448 and refuses unknown algorithms', () => {
    expect(resolveSignatureAlgorithm({ oid: '1.3.101.113' }).ok).toBe(true);
    expect(resolveSignatureAlgorithm({ oid: '1.2.840.10040.4.3' }).ok).toBe(false);
  });
});
