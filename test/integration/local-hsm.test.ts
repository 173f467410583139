import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAgencyDirectory } from '#shared/routing/directory.ts';
import { sendAndDownload } from '#test/support/edoc-cli.ts';
import { addTrustAnchors, SOFTHSM_LIBRARY } from '../../scripts/local/local-hsm.ts';
import { parseStartArguments } from '../../scripts/local/start-arguments.ts';
import { startTempStack, type TempStack } from '../../scripts/local/temp-stack.ts';

const ISSUER = '000.00.08.H48'; // Sở Thông tin và Truyền thông
const RECIPIENT = '000.00.02.H48'; // Sở Nội vụ

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
    const { upload, download, report } = await sendAndDownload(environment, {
      issuer: ISSUER,
      recipient: RECIPIENT,
      number: '77',
      subject: 'Ký số qua PKCS#11',
      dir,
    });

    expect(upload.code, [...upload.out, ...upload.err].join('\n')).toBe(0);
    expect(download?.code, download?.err.join('\n')).toBe(0);
    expect(report?.indication).toBe('TOTAL_PASSED');
    expect(report?.signatures).toHaveLength(2);
  }, 60_000);
});
