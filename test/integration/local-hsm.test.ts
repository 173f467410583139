import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '#cli/main.ts';
import { loadTrust } from '#functions/lib/trust.ts';
import { loadAgencyDirectory } from '#shared/routing/directory.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { signAsLeader } from '../../scripts/demo.ts';
import { addTrustAnchors, SOFTHSM_LIBRARY } from '../../scripts/local/local-hsm.ts';
import { parseStartArguments } from '../../scripts/local/start-arguments.ts';
import { startTempStack, type TempStack } from '../../scripts/local/temp-stack.ts';

const ISSUER = '000.00.08.H48'; // Sở Thông tin và Truyền thông
const RECIPIENT = '000.00.02.H48'; // Sở Nội vụ

async function edoc(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line) => out.push(String(line)));
  const error = vi.spyOn(console, 'error').mockImplementation((line) => out.push(String(line)));
  try {
    return { code: await main(argv), out };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('npm start arguments', () => {
  it('reads --hsm and repeated --trust, and refuses anything else', () => {
    expect(parseStartArguments(['--hsm', '--trust', 'a.pem', '--trust', 'b.pem'])).toEqual({
      hsm: true,
      trust: ['a.pem', 'b.pem'],
    });
    expect(parseStartArguments([])).toEqual({ hsm: false, trust: [] });
    expect(parseStartArguments(['--trust'])).toBe('--trust needs a PEM file');
    expect(parseStartArguments(['--verbose'])).toBe('unknown argument --verbose');
  });

  it('adds a --trust certificate to the anchors, and refuses a file that is not one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edoc-trust-'));
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'trust', 'anchors'), { recursive: true });
      const pem = join(dir, 'root.pem');
      await writeFile(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const added = await addTrustAnchors(join(dir, 'trust'), [pem]);
      expect(added).toEqual([join(dir, 'trust', 'anchors', 'added-root.pem')]);
      expect(await readFile(added[0] ?? '', 'utf8')).toContain('BEGIN CERTIFICATE');
      const notPem = join(dir, 'key.txt');
      await writeFile(notPem, 'hello');
      await expect(addTrustAnchors(join(dir, 'trust'), [notPem])).rejects.toThrow(/not a PEM/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!existsSync(SOFTHSM_LIBRARY))('the local stack with --hsm', () => {
  let environment: TempStack;
  let dir: string;

  beforeAll(async () => {
    vi.stubEnv('EDOC_API', '');
    vi.stubEnv('EDOC_TOKEN', '');
    dir = await mkdtemp(join(tmpdir(), 'edoc-hsm-test-'));
    environment = await startTempStack({ prefix: 'edoc-hsm-stack-', hsm: true });
  }, 60_000);

  afterAll(async () => {
    await environment?.stop();
    await rm(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  it('countersigns with the organization key from the SoftHSM2 token through PKCS#11', async () => {
    const directory = loadAgencyDirectory(
      JSON.parse(await readFile(join(environment.stateDir, 'softhsm', 'directory.json'), 'utf8')),
    );
    expect(directory.find(ISSUER)?.organizationSigning?.key.kind).toBe('pkcs11');
    const token = await edoc('dev-token', '--agency', ISSUER, '--state-dir', environment.stateDir);
    const pdfFile = join(dir, 'signed.pdf');
    await writeFile(pdfFile, await signAsLeader(environment.reference, ISSUER, 'Cong van HSM'));

    const upload = await edoc(
      'upload',
      pdfFile,
      '--api',
      environment.api,
      '--token',
      token.out[0] ?? '',
      '--number',
      '77',
      '--notation',
      'STTTT-VP',
      '--type',
      'cong-van',
      '--subject',
      'Ký số qua PKCS#11',
      '--to',
      RECIPIENT,
      '--signer-name',
      'Lãnh đạo (thử nghiệm)',
      '--signer-position',
      'Giám đốc',
    );

    expect(upload.code, upload.out.join('\n')).toBe(0);
    const id = upload.out.find((l) => l.startsWith('ROUTED '))?.split(' ')[1] ?? '';
    const out = join(dir, 'received.pdf');
    const recipient = await edoc(
      'dev-token',
      '--agency',
      RECIPIENT,
      '--state-dir',
      environment.stateDir,
    );
    const download = await edoc(
      'download',
      id,
      '--out',
      out,
      '--api',
      environment.api,
      '--token',
      recipient.out[0] ?? '',
    );
    expect(download.code, download.out.join('\n')).toBe(0);
    const report = validatePdf(await readFile(out), {
      ...(await loadTrust(environment.reference.trustDir)),
      validationTime: new Date(),
    });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures).toHaveLength(2);
  }, 60_000);
});
