import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '#cli/main.ts';
import { makeSignedPdf } from '../signature/signed-pdf.ts';
import { makeSignaturePki, type SignaturePki } from '../signature/test-pki.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
let pki: SignaturePki;
let dir: string;
let signed: string;

/** Runs the real `edoc` entry point under this Node, as `npx edoc` does. */
const edoc = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/edoc.js'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  pki = makeSignaturePki();
  dir = mkdtempSync(path.join(tmpdir(), 'edoc-verify-cli-'));
  signed = path.join(dir, 'signed.pdf');
  writeFileSync(
    signed,
    makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) }),
  );
});
afterAll(() => pki.cleanup());

describe('edoc verify', () => {
  it('exits 0 and prints TOTAL_PASSED when the root is trusted (intermediate from a second PEM)', () => {
    const r = edoc(
      'verify',
      signed,
      '--trust',
      pki.root.certFile,
      '--intermediate',
      pki.intermediate.certFile,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TOTAL_PASSED/);
    expect(r.stdout).toMatch(/Nguyễn Văn A/);
  });

  it('exits 1 with INDETERMINATE as JSON when nothing is trusted', () => {
    const r = edoc('verify', signed, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
    expect(Array.isArray(report.signatures)).toBe(true);
  });

  it('exits 1 for a file that is not a PDF', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const junk = path.join(dir, 'junk.pdf');
    writeFileSync(junk, 'hello');
    expect(await main(['verify', junk, '--json'])).toBe(1);
    expect(JSON.parse(String(log.mock.lastCall?.[0]))).toMatchObject({
      subIndication: 'FORMAT_FAILURE',
    });
  });

  it('honours --at: the same file judged after the signer expired is not passed', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const trust = ['--trust', pki.root.certFile, '--intermediate', pki.intermediate.certFile];
    expect(await main(['verify', signed, ...trust])).toBe(0);
    expect(await main(['verify', signed, ...trust, '--at', '2099-01-01T00:00:00Z'])).toBe(1);
  });

  it.each([
    [['verify'], 'no file'],
    [['verify', path.join(tmpdir(), 'does-not-exist.pdf')], 'unreadable path'],
    [['verify', 'x.pdf', '--at', 'yesterday'], 'bad time'],
    [['verify', 'x.pdf', '--bogus'], 'unknown option'],
  ])('exits 2 for usage errors: %j (%s)', async (args) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(args)).toBe(2);
  });

  it('exits 2 for a policy file that is not valid JSON', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const policy = path.join(dir, 'policy.json');
    writeFileSync(policy, '{ nope');
    expect(await main(['verify', signed, '--policy', policy])).toBe(2);
  });
});
