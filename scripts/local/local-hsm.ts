import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type AgencyDirectory, loadAgencyDirectory } from '#shared/routing/directory.ts';

/** Debian's SoftHSM2 module (package `softhsm2`). */
export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

/** The module or its tool is missing: `npm start -- --hsm` needs the `softhsm2` package. */
export class SoftHsmMissingError extends Error {
  constructor() {
    super(`--hsm needs SoftHSM2 (${SOFTHSM_LIBRARY} and softhsm2-util): apt-get install softhsm2`);
    this.name = 'SoftHsmMissingError';
  }
}

export interface LocalHsm {
  /** The directory with every organization key moved into the token (`kind: 'pkcs11'`). */
  readonly directoryFile: string;
  /** What the countersign handler reads: the module, the PIN file and SoftHSM's configuration. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The organization keys of the local directory in a SoftHSM2 token under `<stateDir>/softhsm/`,
 * made afresh on each start from the file keys `prepareLocalReference` wrote (the files stay:
 * they are the development PKI), and a directory file naming them by token and key label, so
 * countersigning goes through PKCS#11 as it does with CloudHSM.
 */
export async function prepareLocalHsm(stateDir: string, directoryFile: string): Promise<LocalHsm> {
  if (!existsSync(SOFTHSM_LIBRARY)) throw new SoftHsmMissingError();
  const dir = join(stateDir, 'softhsm');
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  const pin = '1234';
  const pinFile = join(dir, 'pin');
  await writeFile(pinFile, pin, { mode: 0o600 });
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const util = (...args: string[]) => {
    try {
      execFileSync('softhsm2-util', args, { env, stdio: 'pipe' });
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
        throw new SoftHsmMissingError();
      }
      throw error;
    }
  };
  const token = 'edoc-local';
  util('--init-token', '--free', '--label', token, '--pin', pin, '--so-pin', '5678');

  const directory: AgencyDirectory = loadAgencyDirectory(
    JSON.parse(await readFile(directoryFile, 'utf8')),
  );
  let id = 0;
  const agencies = [];
  for (const agency of directory.agencies) {
    const key = agency.organizationSigning?.key;
    if (agency.organizationSigning === undefined || key?.kind !== 'file') {
      agencies.push(agency);
      continue;
    }
    id += 1;
    const label = `org-${agency.code}`;
    util(
      '--import',
      key.path,
      '--token',
      token,
      '--label',
      label,
      '--id',
      id.toString(16).padStart(2, '0'),
      '--pin',
      pin,
    );
    agencies.push({
      ...agency,
      organizationSigning: {
        ...agency.organizationSigning,
        key: { kind: 'pkcs11' as const, tokenLabel: token, keyLabel: label },
      },
    });
  }
  const hsmDirectoryFile = join(dir, 'directory.json');
  await writeFile(
    hsmDirectoryFile,
    `${JSON.stringify(loadAgencyDirectory(agencies).agencies, null, 2)}\n`,
  );
  return {
    directoryFile: hsmDirectoryFile,
    env: { PKCS11_MODULE: SOFTHSM_LIBRARY, HSM_PIN_FILE: pinFile, SOFTHSM2_CONF: conf },
  };
}

/** `--trust <pem>`: copies each PEM into the local trust anchors, where the handlers load them. */
export async function addTrustAnchors(
  trustDir: string,
  pems: readonly string[],
): Promise<string[]> {
  const added: string[] = [];
  for (const pem of pems) {
    const text = await readFile(pem, 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`--trust ${pem}: not a PEM certificate file`);
    }
    const target = join(trustDir, 'anchors', `added-${basename(pem)}`);
    await copyFile(pem, target);
    added.push(target);
  }
  return added;
}
