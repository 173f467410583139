import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Debian's SoftHSM2 module; tests that need it skip when it is not installed. */
export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';
export const hasSoftHsm = existsSync(SOFTHSM_LIBRARY);

/**
 * A fresh SoftHSM2 token in `dir`, for the module loaded in this process (SoftHSM reads
 * `SOFTHSM2_CONF` when C_Initialize runs), with the given PKCS#8 keys imported under their
 * labels (ids 01, 02, … in order).
 */
export function makeSoftHsmToken(
  dir: string,
  token: { readonly label: string; readonly pin: string },
  keys: readonly { readonly file: string; readonly label: string }[],
): void {
  const conf = path.join(dir, 'softhsm2.conf');
  mkdirSync(path.join(dir, 'tokens'));
  writeFileSync(
    conf,
    `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const util = (...args: string[]) =>
    execFileSync('softhsm2-util', args, { env: process.env, stdio: 'pipe' });
  util('--init-token', '--free', '--label', token.label, '--pin', token.pin, '--so-pin', '5678');
  keys.forEach((key, index) => {
    const id = String(index + 1).padStart(2, '0');
    util(
      '--import',
      key.file,
      '--token',
      token.label,
      '--label',
      key.label,
      '--id',
      id,
      '--pin',
      token.pin,
    );
  });
}
