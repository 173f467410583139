import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateSummary,
  type PathValidationOptions,
  parseCertificate,
  parseCrl,
  parsePemBundle,
  validateCertificatePath,
} from '#signature/certificates.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { flipByteOf, makeSignaturePki, type SignaturePki } from './test-pki.ts';

let pki: SignaturePki;
let trusted: PathValidationOptions;
beforeAll(() => {
  pki = makeSignaturePki();
  trusted = {
    trustAnchors: [pki.root.der],
    intermediates: [pki.intermediate.der],
    validationTime: new Date(Date.now() + 60_000),
  };
});
afterAll(() => pki.cleanup());

const days = (n: number) => new Date(Date.now() + n * 86_400_000);

describe('validateCertificatePath finds paths', () => {
  it('builds signer → intermediate → root', () => {
    const result = validateCertificatePath(pki.rsaSigner.der, trusted);

    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.chainSubjects).toEqual([
      'CN=Nguyễn Văn A, O=Sở TT&TT thử nghiệm, C=VN',
      'CN=Test Intermediate CA, O=Sở TT&TT thử nghiệm, C=VN',
      'CN=Test Root CA, O=Sở TT&TT thử nghiệm, C=VN',
    ]);
    expect(result.revocation).toBe('unknown');
  });

  it('is NO_CERTIFICATE_CHAIN_FOUND without the intermediate', () => {
    const result = validateCertificatePath(pki.rsaSigner.der, { ...trusted, intermediates: [] });
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    expect(result.chain).toEqual([]);
  });

  it('is NO_CERTIFICATE_CHAIN_FOUND under an unrelated anchor', () => {
    const result = validateCertificatePath(pki.rsaSigner.der, {
      ...trusted,
      trustAnchors: [pki.ecSigner.der],
    });
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('terminates on CAs that certify each other', () => {
    const [loopA, loopB] = pki.loopCas;
    const result = validateCertificatePath(pki.loopLeaf.der, {
      ...trusted,
      intermediates: [loopA.der, loopB.der],
    });
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('tries the other candidates for an issuer name until one reaches an anchor', () => {
    const result = validateCertificatePath(pki.loopLeaf.der, {
      ...trusted,
      intermediates: pki.loopCas.map((c) => c.der),
    });
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.chain.length).toBeGreaterThanOrEqual(3);
  });

  it('accepts a signer that is itself a trust anchor', () => {
    const result = validateCertificatePath(pki.ecSigner.der, {
      ...trusted,
      trustAnchors: [pki.ecSigner.der],
    });
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.chain).toHaveLength(1);
  });
});

describe('validity at the validation time', () => {
  it('is OUT_OF_BOUNDS_NO_POE for a certificate expired at the validation time', () => {
    const result = validateCertificatePath(pki.shortLived.der, {
      ...trusted,
      validationTime: days(30),
    });
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });

  it('is OUT_OF_BOUNDS_NOT_REVOKED when a CRL shows the expired certificate not revoked', () => {
    const result = validateCertificatePath(pki.shortLived.der, {
      ...trusted,
      validationTime: days(30),
      crls: [pki.crl],
    });
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NOT_REVOKED');
  });

  it('is OUT_OF_BOUNDS_NO_POE before the certificate is valid', () => {
    const result = validateCertificatePath(pki.rsaSigner.der, {
      ...trusted,
      validationTime: days(-2),
    });
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });
});

describe('revocation', () => {
  it('is REVOKED when the CRL revokes the signer before the signature time', () => {
    const result = validateCertificatePath(pki.revoked.der, { ...trusted, crls: [pki.crl] });

    expect(result.indication).toBe('TOTAL_FAILED');
    expect(result.subIndication).toBe('REVOKED');
    expect(result.revocation).toBe('revoked');
    expect(result.revocationDate?.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('keeps a signature proven to predate the revocation', () => {
    const result = validateCertificatePath(pki.revoked.der, {
      ...trusted,
      crls: [pki.crl],
      bestSignatureTime: { time: new Date(pki.revokedAt.getTime() - 3_600_000), proven: true },
    });
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.revocation).toBe('revoked');
  });

  it('is REVOKED_NO_POE when only a claimed time predates the revocation', () => {
    const result = validateCertificatePath(pki.revoked.der, {
      ...trusted,
      crls: [pki.crl],
      bestSignatureTime: { time: new Date(pki.revokedAt.getTime() - 3_600_000), proven: false },
    });
    expect(result.subIndication).toBe('REVOKED_NO_POE');
  });

  it('reports good for a certificate the CRL does not list', () => {
    const result = validateCertificatePath(pki.ecSigner.der, { ...trusted, crls: [pki.crl] });
    expect(result.indication).toBe('TOTAL_PASSED');
    expect(result.revocation).toBe('good');
  });

  it('ignores a CRL whose signature does not verify', () => {
    const crl = parseCrl(pki.crl);
    const forged = flipByteOf(pki.crl, crl.signature, 8);
    const result = validateCertificatePath(pki.revoked.der, { ...trusted, crls: [forged] });
    expect(result.revocation).toBe('unknown');
    expect(result.indication).toBe('TOTAL_PASSED');
  });

  it('reads the revocation reason', () => {
    const entry = [...parseCrl(pki.crl).revoked.values()][0];
    expect(entry?.reason).toBe(1);
    expect(entry?.serialHex).toBe(parseCertificate(pki.revoked.der).serialHex);
  });

  it('is TRY_LATER without revocation data when the policy requires it', () => {
    const result = validateCertificatePath(pki.ecSigner.der, {
      ...trusted,
      policy: { ...DEFAULT_POLICY, requireRevocationData: true },
    });
    expect(result.subIndication).toBe('TRY_LATER');
  });
});

describe('constraints', () => {
  it('is CHAIN_CONSTRAINTS_FAILURE for a signer whose keyUsage does not allow signing', () => {
    const result = validateCertificatePath(pki.encipherOnly.der, trusted);
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons.join()).toMatch(/digitalSignature/);
  });

  it('is CHAIN_CONSTRAINTS_FAILURE for a certificate issued by an end entity', () => {
    const result = validateCertificatePath(pki.underLeaf.der, {
      ...trusted,
      intermediates: [pki.intermediate.der, pki.ecSigner.der],
    });
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons.join()).toMatch(/not a CA/);
  });

  it('is CHAIN_CONSTRAINTS_FAILURE when a CA below a pathlen:0 CA issues', () => {
    const result = validateCertificatePath(pki.underSubCa.der, {
      ...trusted,
      intermediates: [pki.intermediate.der, pki.subCa.der],
    });
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons.join()).toMatch(/allows 0 intermediate/);
  });

  it('requires the timeStamping extended key usage of a TSA', () => {
    const tsa = validateCertificatePath(pki.tsa.der, { ...trusted, purpose: 'timestamping' });
    const notTsa = validateCertificatePath(pki.ecSigner.der, {
      ...trusted,
      purpose: 'timestamping',
    });
    expect(tsa.indication).toBe('TOTAL_PASSED');
    expect(notTsa.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('puts a SHA-1-signed certificate below the default policy', () => {
    const result = validateCertificatePath(pki.sha1Signed.der, trusted);
    expect(result.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
  });

  it('accepts a SHA-1-signed certificate issued before the configured date', () => {
    const result = validateCertificatePath(pki.sha1Signed.der, {
      ...trusted,
      policy: { ...DEFAULT_POLICY, allowSha1ForCertificatesBefore: days(1) },
    });
    expect(result.indication).toBe('TOTAL_PASSED');
  });

  it('is FORMAT_FAILURE for an unreadable signer certificate', () => {
    const result = validateCertificatePath(Buffer.from('junk'), trusted);
    expect(result.indication).toBe('TOTAL_FAILED');
    expect(result.subIndication).toBe('FORMAT_FAILURE');
  });
});

describe('parsePemBundle and certificateSummary', () => {
  it('reads every certificate of a concatenated PEM file', () => {
    const text = [pki.root.certFile, pki.intermediate.certFile]
      .map((f) => readFileSync(f, 'latin1'))
      .join('\n');
    expect(parsePemBundle(text)).toEqual([pki.root.der, pki.intermediate.der]);
  });

  it('decodes Vietnamese names', () => {
    const summary = certificateSummary(pki.rsaSigner.der);
    expect(summary).toMatchObject({
      commonName: 'Nguyễn Văn A',
      organization: 'Sở TT&TT thử nghiệm',
      country: 'VN',
      issuer: 'CN=Test Intermediate CA, O=Sở TT&TT thử nghiệm, C=VN',
      serialNumber: parseCertificate(pki.rsaSigner.der).serialHex,
    });
    expect(new Date(summary.notAfter).getTime()).toBeGreaterThan(Date.now());
  });

  it('reads basicConstraints, keyUsage and extendedKeyUsage', () => {
    const intermediate = parseCertificate(pki.intermediate.der);
    const tsa = parseCertificate(pki.tsa.der);
    expect(intermediate.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    expect([...(intermediate.keyUsage ?? [])]).toEqual(['keyCertSign', 'cRLSign']);
    expect(tsa.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.8']);
  });
});
