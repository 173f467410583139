import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { type ValidationOptions, validatePdf } from '#signature/validate-pdf.ts';
import { writeRevision } from '../unit/pdf/pdf-factory.ts';
import { makeSignaturePki, type SignaturePki } from '../unit/signature/test-pki.ts';

/**
 * poppler's pdfsig as an independent oracle: it signs documents with an NSS database holding our
 * test PKI, and we compare verdicts. pdfsig checks the digest and the certificate but does no
 * coverage or modification analysis, so the two disagree, by design, on documents changed after
 * signing; those tests say so.
 */
const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/pyhanko/pdf');
let pki: SignaturePki;
let dir: string;
let nssdb: string;
let trusted: ValidationOptions;

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** pdfsig's verdict lines; it exits non-zero for invalid signatures, so read output either way. */
const pdfsigInfo = (file: string): string => {
  const r = spawnSync('pdfsig', ['-nssdir', nssdb, '-no-ocsp', file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
};

/** poppler 22 signs with SHA-256 and adbe.pkcs7.detached only; openssl cms covers the rest. */
const pdfsigSign = (input: string, output: string) =>
  run('pdfsig', [
    '-nssdir',
    nssdb,
    '-add-signature',
    '-nick',
    'signer',
    '-reason',
    'Ky ban hanh',
    input,
    output,
  ]);

beforeAll(() => {
  pki = makeSignaturePki();
  dir = mkdtempSync(path.join(tmpdir(), 'edoc-pdfsig-'));
  nssdb = `sql:${path.join(dir, 'nss')}`;
  run('mkdir', ['nss']);
  run('certutil', ['-N', '-d', nssdb, '--empty-password']);
  run('openssl', [
    'pkcs12',
    '-export',
    '-in',
    pki.rsaSigner.certFile,
    '-inkey',
    pki.rsaSigner.keyFile,
    '-certfile',
    pki.intermediate.certFile,
    '-name',
    'signer',
    '-passout',
    'pass:',
    '-out',
    'signer.p12',
  ]);
  run('pk12util', ['-i', 'signer.p12', '-d', nssdb, '-W', '']);
  run('certutil', ['-A', '-d', nssdb, '-n', 'root', '-t', 'C,C,C', '-i', pki.root.certFile]);
  trusted = {
    trustAnchors: [pki.root.der],
    intermediates: [],
    crls: [],
    validationTime: new Date(),
    policy: DEFAULT_POLICY,
  };
  // Structure variants of one unsigned document, made by qpdf.
  run('cp', [path.join(corpus, 'minimal.pdf'), 'plain.pdf']);
  run('qpdf', ['plain.pdf', '--object-streams=generate', 'objstm.pdf']);
  run('qpdf', ['plain.pdf', '--linearize', 'linearized.pdf']);
  run('cp', [path.join(corpus, 'minimal-xref.pdf'), 'xref-stream.pdf']);
  run('cp', [path.join(corpus, 'minimal-hybrid-xref.pdf'), 'hybrid.pdf']);
});
afterAll(() => {
  pki.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('documents signed by pdfsig', () => {
  it.each(['plain', 'objstm', 'linearized', 'xref-stream', 'hybrid'])(
    '%s: both pdfsig and the engine accept the signature, and the engine trusts the chain',
    (variant) => {
      const out = path.join(dir, `${variant}-signed.pdf`);
      pdfsigSign(path.join(dir, `${variant}.pdf`), out);
      const info = pdfsigInfo(out);
      expect(info).toMatch(/Signature is Valid/);
      expect(info).toMatch(/Total document signed/);
      const report = validatePdf(readFileSync(out), trusted);
      expect(report.indication, JSON.stringify(report.signatures[0]?.reasons)).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.chain).toHaveLength(3);
    },
  );

  it('both reject a byte changed inside the signed range', () => {
    const out = path.join(dir, 'tamper-signed.pdf');
    pdfsigSign(path.join(dir, 'plain.pdf'), out);
    const bytes = readFileSync(out);
    const at = bytes.indexOf('/MediaBox');
    bytes[at + 1] = 'm'.charCodeAt(0);
    const tampered = path.join(dir, 'tampered.pdf');
    writeFileSync(tampered, bytes);
    expect(pdfsigInfo(tampered)).toMatch(/Digest Mismatch/);
    expect(validatePdf(bytes, trusted)).toMatchObject({
      indication: 'TOTAL_FAILED',
      subIndication: 'HASH_FAILURE',
    });
  });

  it('disagree on an incremental update that replaces the page: pdfsig calls the signature valid, the engine fails it', () => {
    const out = path.join(dir, 'shadow-signed.pdf');
    pdfsigSign(path.join(dir, 'plain.pdf'), out);
    const signed = readFileSync(out);
    const text = signed.toString('latin1');
    const size = Number(/\/Size (\d+)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1]);
    const pageNum = Number(/(\d+) 0 obj\s*<<\s*\/Type\s*\/Page\b/.exec(text)?.[1]);
    expect(Number.isInteger(size) && Number.isInteger(pageNum)).toBe(true);
    const attacked = writeRevision(
      signed,
      [
        [pageNum, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${size} 0 R >>`],
        [size, '<< /Length 19 >>\nstream\nBT (PAID) Tj ET   \nendstream'],
      ],
      { trailer: `/Root 1 0 R /Size ${size + 1}` },
    );
    const file = path.join(dir, 'shadow.pdf');
    writeFileSync(file, attacked);
    const info = pdfsigInfo(file);
    // pdfsig: the digest over the old ranges still matches; it only notes partial coverage.
    expect(info).toMatch(/Signature is Valid/);
    expect(info).not.toMatch(/Total document signed/);
    const report = validatePdf(attacked, trusted);
    expect(report.indication).toBe('TOTAL_FAILED');
    expect(report.signatures[0]?.modifications?.allowed).toBe(false);
  });

  it('qpdf --check accepts what pdfsig wrote, so the engine is judged on well-formed input', () => {
    const out = path.join(dir, 'check-signed.pdf');
    pdfsigSign(path.join(dir, 'objstm.pdf'), out);
    const r = spawnSync('qpdf', ['--check', out], { encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
  });
});
