import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '#cli/main.ts';

let dir: string;
let keyFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'edoc-csr-'));
  keyFile = path.join(dir, 'org.key');
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    keyFile,
  ]);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

describe('edoc csr', () => {
  it('writes a request that openssl verifies, with the Vietnamese organization name intact', async () => {
    const out = path.join(dir, 'org.csr');
    const code = await main([
      'csr',
      '--key',
      keyFile,
      '--subject',
      'CN=Sở Thông tin và Truyền thông,O=UBND tỉnh Quảng Ngãi,C=VN',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(readFileSync(out, 'latin1')).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const check = spawnSync(
      'openssl',
      ['req', '-in', out, '-noout', '-verify', '-subject', '-nameopt', 'utf8'],
      {
        encoding: 'utf8',
      },
    );
    expect(`${check.stdout}${check.stderr}`).toMatch(/verify OK/i);
    expect(check.stdout).toContain('Sở Thông tin và Truyền thông');
  });

  it('answers a usage error (2) without a key source or with a malformed subject', async () => {
    const out = path.join(dir, 'x.csr');
    expect(await main(['csr', '--subject', 'CN=x', '--out', out])).toBe(2);
    expect(await main(['csr', '--key', keyFile, '--subject', 'no-equals-sign', '--out', out])).toBe(
      2,
    );
    expect(
      await main([
        'csr',
        '--key',
        path.join(dir, 'missing.key'),
        '--subject',
        'CN=x',
        '--out',
        out,
      ]),
    ).toBe(2);
  });
});
