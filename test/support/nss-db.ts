import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { SignaturePki } from './signing-pki.ts';

/**
 * An NSS database in `dir/nss` for poppler's pdfsig: `pki.rsaSigner` with its intermediate under
 * the nickname `signer` (for `-add-signature -nick signer`), and `pki.root` trusted. Returns the
 * `-nssdir` argument (`sql:` + path).
 */
export function makeNssDb(dir: string, pki: SignaturePki): string {
  const nssdb = `sql:${path.join(dir, 'nss')}`;
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  mkdirSync(path.join(dir, 'nss'));
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
  return nssdb;
}
