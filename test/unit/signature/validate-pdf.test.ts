import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { type ValidationOptions, validatePdf } from '#signature/validate-pdf.ts';
import { writeRevision } from '../pdf/pdf-factory.ts';
import { makeSignedPdf } from './signed-pdf.ts';
import { makeSignaturePki, type SignaturePki } from './test-pki.ts';

let pki: SignaturePki;
let trusted: ValidationOptions;

beforeAll(() => {
  pki = makeSignaturePki();
  trusted = {
    trustAnchors: [pki.root.der],
    intermediates: [pki.intermediate.der],
    crls: [],
    validationTime: new Date(),
    policy: DEFAULT_POLICY,
  };
});
afterAll(() => pki.cleanup());

const reasons = (r: ReturnType<typeof validatePdf>) =>
  [...r.reasons, ...r.signatures.flatMap((s) => s.reasons)].join('; ');

describe('validatePdf on documents signed in the test', () => {
  it('passes an RSA signature whose chain reaches a trusted root', () => {
    const pdf = makeSignedPdf({
      sign: (content) => pki.sign({ signer: pki.rsaSigner, content, cades: true }),
    });
    const report = validatePdf(pdf, trusted);
    expect(report.indication, reasons(report)).toBe('TOTAL_PASSED');
    const [sig] = report.signatures;
    expect(sig?.signer?.commonName).toBe('Nguyễn Văn A');
    expect(sig?.chain).toHaveLength(3);
    expect(sig?.signingTimeSource).toBe('claimed');
    expect(sig?.coverage.coversWholeFile).toBe(true);
  });

  it.each([
    ['EC P-256 with SHA-384', { signer: 'ecSigner', md: 'sha384' }],
    ['RSA-PSS', { signer: 'rsaSigner', pss: true }],
    ['RSA without signed attributes', { signer: 'rsaSigner', noAttributes: true }],
  ] as const)('passes %s', (_, o) => {
    const pdf = makeSignedPdf({
      sign: (content) =>
        pki.sign({
          signer: pki[o.signer],
          content,
          ...('md' in o ? { md: o.md } : {}),
          ...('pss' in o ? { pss: o.pss } : {}),
          ...('noAttributes' in o ? { noAttributes: o.noAttributes } : {}),
        }),
    });
    const report = validatePdf(pdf, trusted);
    expect(report.indication, reasons(report)).toBe('TOTAL_PASSED');
  });

  it('is INDETERMINATE without a trusted root, not passed and not failed', () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const report = validatePdf(pdf, { ...trusted, trustAnchors: [] });
    expect(report).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
  });

  it('fails with HASH_FAILURE when one signed byte changed', () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const at = pdf.indexOf('/MediaBox [0 0 595 842]') + '/MediaBox [0 0 5'.length;
    const tampered = Buffer.from(pdf);
    tampered[at] = '8'.charCodeAt(0);
    const report = validatePdf(tampered, trusted);
    expect(report).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  it('fails with HASH_FAILURE when the CMS was made for other bytes', () => {
    const other = makeSignedPdf({
      sign: (content) => pki.sign({ signer: pki.rsaSigner, content }),
    });
    const pdf = makeSignedPdf({
      sign: () => pki.sign({ signer: pki.rsaSigner, content: Buffer.from('something else') }),
    });
    expect(other.equals(pdf)).toBe(false);
    const report = validatePdf(pdf, trusted);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.subIndication).toBe('HASH_FAILURE');
  });

  it('fails with SIG_CRYPTO_FAILURE when the signature value was altered', () => {
    const pdf = makeSignedPdf({
      sign: (content) => {
        const cms = pki.sign({ signer: pki.rsaSigner, content });
        cms[cms.length - 7] = (cms[cms.length - 7] ?? 0) ^ 0x01;
        return cms;
      },
    });
    const report = validatePdf(pdf, trusted);
    expect(report).toMatchObject({
      indication: 'TOTAL_FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
    });
  });

  it('rejects a detached SubFilter whose CMS encapsulates content', () => {
    const pdf = makeSignedPdf({
      sign: (content) => pki.sign({ signer: pki.rsaSigner, content, encapsulate: true }),
    });
    const report = validatePdf(pdf, trusted);
    expect(report).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(reasons(report)).toMatch(/encapsulates content/);
  });

  it('reports SHA-1 below the default policy as CRYPTO_CONSTRAINTS_FAILURE_NO_POE', () => {
    const pdf = makeSignedPdf({
      sign: (content) => pki.sign({ signer: pki.rsaSigner, content, md: 'sha1' }),
    });
    const report = validatePdf(pdf, trusted);
    expect(report).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    });
    const lenient = validatePdf(pdf, {
      ...trusted,
      policy: { ...DEFAULT_POLICY, acceptedDigests: ['sha1', 'sha256'] },
    });
    expect(lenient.indication, reasons(lenient)).toBe('TOTAL_PASSED');
  });

  it('fails a signer whose certificate the CRL revoked before the claimed signing time', () => {
    const pdf = makeSignedPdf({
      sign: (content) => pki.sign({ signer: pki.revoked, content }),
      signingTime: new Date(pki.revokedAt.getTime() + 60_000),
    });
    const report = validatePdf(pdf, { ...trusted, crls: [pki.crl] });
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.revocation).toBe('revoked');
    const unknown = validatePdf(pdf, trusted);
    expect(unknown.indication, reasons(unknown)).toBe('TOTAL_PASSED');
    expect(unknown.signatures[0]?.revocation).toBe('unknown');
  });

  it('is INDETERMINATE when the policy requires a timestamp and there is none', () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const report = validatePdf(pdf, {
      ...trusted,
      policy: { ...DEFAULT_POLICY, requireTimestamp: true },
    });
    expect(report).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'SIG_CONSTRAINTS_FAILURE',
    });
  });

  it('validates a document timestamp against the TSA chain', () => {
    const pdf = makeSignedPdf({
      type: 'DocTimeStamp',
      subFilter: 'ETSI.RFC3161',
      sign: (content) => pki.timestamp(content),
    });
    const report = validatePdf(pdf, trusted);
    expect(report.indication, reasons(report)).toBe('TOTAL_PASSED');
    expect(report.signatures[0]).toMatchObject({
      kind: 'document-timestamp',
      signingTimeSource: 'timestamp',
    });
  });

  it('passes both signatures of a document signed twice', () => {
    const once = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const twice = makeSignedPdf({
      base: once,
      sign: (content) => pki.sign({ signer: pki.ecSigner, content }),
    });
    const report = validatePdf(twice, trusted);
    expect(report.indication, reasons(report)).toBe('TOTAL_PASSED');
    expect(report.signatures).toHaveLength(2);
    expect(report.signatures[0]?.coverage.coversWholeFile).toBe(false);
    expect(report.signatures[0]?.modifications?.allowed).toBe(true);
  });

  it('fails a signature when a later revision replaces the page content (shadow attack)', () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const attacked = writeRevision(
      pdf,
      [
        [
          3,
          '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] /Contents 6 0 R >>',
        ],
        [6, '<< /Length 20 >>\nstream\nBT (paid) Tj ET    \nendstream'],
      ],
      { trailer: '/Root 1 0 R /Size 7' },
    );
    const report = validatePdf(attacked, trusted);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]?.modifications?.allowed).toBe(false);
    expect(reasons(report)).toMatch(/changed after signing/);
  });

  it('allows an update that only rewrites /Info after signing', () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const updated = writeRevision(pdf, [[6, '<< /Producer (edoc-hub test) >>']], {
      trailer: '/Root 1 0 R /Info 6 0 R /Size 7',
    });
    const report = validatePdf(updated, trusted);
    expect(report.indication, reasons(report)).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.coverage.coversWholeFile).toBe(false);
  });

  it('ends in FORMAT_FAILURE, not an exception, for a truncated signed file', () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const report = validatePdf(pdf.subarray(0, pdf.length - 300), trusted);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.subIndication).toBe('FORMAT_FAILURE');
    expect(reasons(report)).not.toBe('');
  });
});
