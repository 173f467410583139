import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePemBundle, validateCertificatePath } from '#signature/certificates.ts';
import { onlySigner, parseSignedData } from '#signature/cms.ts';
import { verifyTimestampToken } from '#signature/timestamp.ts';
import { contentOf, verifySignerInfo } from '#signature/verify-cms.ts';

/** Real CMS from pyHanko's test files, read out of the PDF with a regex (no PDF parser here). */
const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const pem = (name: string) =>
  parsePemBundle(readFileSync(path.join(corpus, 'pyhanko/testing-ca', name), 'latin1'));

function signatureOf(file: string) {
  const pdf = readFileSync(path.join(corpus, file.includes('/') ? file : `pyhanko/pdf/${file}`));
  const match = /\/ByteRange\s*\[([^\]]*)\]/.exec(pdf.toString('latin1'));
  const [start1 = 0, length1 = 0, start2 = 0, length2 = 0] = (match?.[1] ?? '')
    .trim()
    .split(/\s+/)
    .map(Number);
  const hex = pdf.subarray(start1 + length1 + 1, start2 - 1).toString('latin1');
  return {
    cms: Buffer.from(hex, 'hex'),
    signedBytes: [pdf.subarray(start1, start1 + length1), pdf.subarray(start2, start2 + length2)],
  };
}

/** Inside the validity of pyHanko's signer certificates (they signed in 2020). */
const pyhankoTrust = {
  trustAnchors: pem('root/root.cert.pem'),
  intermediates: pem('root/interm.cert.pem'),
  validationTime: new Date('2020-11-15T00:00:00Z'),
};

describe('pyHanko signatures', () => {
  it.each([
    ['sig-with-ski-sid.pdf', 'subjectKeyIdentifier'],
    ['sig-no-signed-attrs.pdf', 'issuerAndSerial'],
    ['pades-with-old-style-signing-cert-attr.pdf', 'issuerAndSerial'],
    ['pades-with-old-style-signing-cert-attr-issser.pdf', 'issuerAndSerial'],
    ['pades-lta-dss-indirect-arrs-test.pdf', 'issuerAndSerial'],
  ])('%s verifies and chains to the pyHanko test root', (file, sidType) => {
    const { cms, signedBytes } = signatureOf(file);
    const sd = parseSignedData(cms);
    const signer = onlySigner(sd);

    const crypto = verifySignerInfo(sd, signer, { content: contentOf(signedBytes) });
    const signerCertificate = crypto.signerCertificate?.der ?? Buffer.alloc(0);
    const path = validateCertificatePath(signerCertificate, {
      ...pyhankoTrust,
      intermediates: [...sd.certificates, ...pyhankoTrust.intermediates],
    });

    expect(signer.sid.type).toBe(sidType);
    expect(crypto.reasons).toEqual([]);
    expect(crypto.indication).toBe('TOTAL_PASSED');
    expect(path.reasons).toEqual([]);
    expect(path.indication).toBe('TOTAL_PASSED');
    expect(path.chainSubjects.at(-1)).toBe('CN=Root CA, OU=Testing Authority, O=Example Inc, C=BE');
  });

  it('checks the old-style ESS signing-certificate attribute', () => {
    const { cms, signedBytes } = signatureOf('pades-with-old-style-signing-cert-attr.pdf');
    const sd = parseSignedData(cms);
    const signer = onlySigner(sd);
    expect(signer.signedAttrs?.signingCertificate?.version).toBe(1);
    const result = verifySignerInfo(sd, signer, { content: contentOf(signedBytes) });
    expect(result.signingCertificateAttribute).toBe('match');
  });

  it('reports HASH_FAILURE when a signed byte of the PDF changes', () => {
    const { cms, signedBytes } = signatureOf('sig-with-ski-sid.pdf');
    const [first = Buffer.alloc(0), second = Buffer.alloc(0)] = signedBytes;
    const altered = Buffer.from(first);
    altered[100] = (altered[100] ?? 0) ^ 1;
    const sd = parseSignedData(cms);
    const result = verifySignerInfo(sd, onlySigner(sd), { content: contentOf([altered, second]) });
    expect(result.subIndication).toBe('HASH_FAILURE');
  });

  it('verifies the signature timestamp of the PAdES B-LTA file', () => {
    const { cms } = signatureOf('pades-lta-dss-indirect-arrs-test.pdf');
    const signer = onlySigner(parseSignedData(cms));
    const [token] = signer.unsignedAttrs?.signatureTimeStampTokens ?? [];

    const result = verifyTimestampToken(token ?? Buffer.alloc(0), {
      ...pyhankoTrust,
      timestamped: { signatureValue: signer.signature },
    });

    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.tsa?.commonName).toBe('Time Stamping Authority');
    expect(result.genTime?.toISOString()).toMatch(/^2020-/);
  });

  it('verifies Ed448 with SHAKE256 and refuses Ed448 with SHA-512 (RFC 8419)', () => {
    const verifyFile = (file: string) => {
      const { cms, signedBytes } = signatureOf(file);
      const sd = parseSignedData(cms);
      return verifySignerInfo(sd, onlySigner(sd), { content: contentOf(signedBytes) });
    };
    expect(verifyFile('ed448-shake256-nolen.pdf').indication).toBe('TOTAL_PASSED');
    const disallowed = verifyFile('ed448-disallowed-hash.pdf');
    expect(disallowed.indication).toBe('INDETERMINATE');
    expect(disallowed.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE');
  });

  it('is OUT_OF_BOUNDS_NO_POE once the signer certificate has expired', () => {
    const { cms, signedBytes } = signatureOf('sig-with-ski-sid.pdf');
    const sd = parseSignedData(cms);
    const crypto = verifySignerInfo(sd, onlySigner(sd), { content: contentOf(signedBytes) });
    const result = validateCertificatePath(crypto.signerCertificate?.der ?? Buffer.alloc(0), {
      ...pyhankoTrust,
      validationTime: new Date('2030-01-01T00:00:00Z'),
    });
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });
});

describe('EU DSS signatures', () => {
  it('cannot use the non-DER signer certificate of BadEncodedCMS and says so', () => {
    const { cms, signedBytes } = signatureOf('dss/BadEncodedCMS.pdf');
    const sd = parseSignedData(cms);
    const result = verifySignerInfo(sd, onlySigner(sd), { content: contentOf(signedBytes) });

    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_SIGNING_CERTIFICATE_FOUND');
    expect(result.reasons.join()).toMatch(/not valid DER/);
  });

  it('detects the two SignerInfos of pdf-double-signer-info', () => {
    const sd = parseSignedData(signatureOf('dss/pdf-double-signer-info.pdf').cms);
    expect(() => onlySigner(sd)).toThrow(/2 SignerInfos/);
  });
});
