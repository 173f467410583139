import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgencyDirectory } from '#shared/routing/directory.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { type IssuedIdentity, type IssueOptions, issueIdentity } from './dev-pki.ts';

/** A leader's signing key and chain for one issuing agency, to sign test documents with. */
export interface LocalLeaderKey {
  readonly agency: string;
  readonly agencyName: string;
  readonly keyFile: string;
  readonly chainFile: string;
}

export interface LocalReference {
  /** The directory the handlers load (`DIRECTORY_FILE`). */
  readonly directoryFile: string;
  /** Trust for the verify step (`TRUST_DIR`); the local CA is in `anchors/`. */
  readonly trustDir: string;
  readonly caFile: string;
  readonly leaders: readonly LocalLeaderKey[];
  /**
   * A leader key for every agency reached over the national axis (the ministries), to sign the
   * packages a developer injects into the axis stand-in as if that ministry had sent them.
   */
  readonly axisSenders: readonly LocalLeaderKey[];
}

const CA_SUBJECT = 'CN=edoc-hub local development CA,O=edoc-hub local development,C=VN';

/**
 * The reference data of a local run, made once under `stateDir` and reused afterwards:
 * - `keys/`: a development CA, and for every seed agency that issues documents an organization
 *   key and certificate chain (for the countersign step) and a leader key and chain (O = the
 *   agency's name, so the signer binding accepts it) for signing test documents;
 * - `trust/anchors/edoc-local-ca.pem`, so documents signed by those leaders verify;
 * - `directory.json`: the seed directory with each issuer's organization key switched to its
 *   local file, since KMS keys and HSMs are out of reach locally.
 * Existing files are kept, so an edited `directory.json` or an added trust anchor survives
 * restarts; deleting `stateDir` starts afresh.
 */
export async function prepareLocalReference(
  stateDir: string,
  seed: AgencyDirectory = QUANG_NGAI_DIRECTORY,
): Promise<LocalReference> {
  const keysDir = join(stateDir, 'keys');
  const trustDir = join(stateDir, 'trust');
  const anchorsDir = join(trustDir, 'anchors');
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await mkdir(anchorsDir, { recursive: true });

  const caFile = join(keysDir, 'ca.pem');
  const ca = await identityAt(join(keysDir, 'ca.key'), caFile, {
    subject: CA_SUBJECT,
    role: 'ca',
  });
  const anchorFile = join(anchorsDir, 'edoc-local-ca.pem');
  if (!(await exists(anchorFile))) await writeFile(anchorFile, ca.certificatePem);

  const leaders: LocalLeaderKey[] = [];
  const axisSenders: LocalLeaderKey[] = [];
  const directory = [];
  for (const agency of seed.agencies) {
    if (agency.organizationSigning === undefined) {
      directory.push(agency);
      if (agency.channel === 'national-axis') {
        axisSenders.push(await leaderAt(keysDir, agency, ca));
      }
      continue;
    }
    const name = escapeDnValue(agency.name);
    const organization = {
      keyFile: join(keysDir, `${agency.code}.key`),
      chainFile: join(keysDir, `${agency.code}-chain.pem`),
    };
    await identityAt(organization.keyFile, organization.chainFile, {
      subject: `CN=${name},O=${name},L=Quảng Ngãi,C=VN`,
      role: 'signer',
      issuer: ca,
    });
    leaders.push(await leaderAt(keysDir, agency, ca));
    directory.push({
      ...agency,
      organizationSigning: {
        key: { kind: 'file' as const, path: organization.keyFile },
        certificateChain: { kind: 'file' as const, path: organization.chainFile },
      },
    });
  }

  const directoryFile = join(stateDir, 'directory.json');
  if (!(await exists(directoryFile))) {
    await writeFile(directoryFile, `${JSON.stringify(directory, null, 2)}\n`);
  }
  return { directoryFile, trustDir, caFile, leaders, axisSenders };
}

/** A leader's key and chain under the local CA, O = the agency's name (the signer binding). */
async function leaderAt(
  keysDir: string,
  agency: { readonly code: string; readonly name: string },
  ca: IssuedIdentity,
): Promise<LocalLeaderKey> {
  const leader = {
    agency: agency.code,
    agencyName: agency.name,
    keyFile: join(keysDir, `${agency.code}-leader.key`),
    chainFile: join(keysDir, `${agency.code}-leader-chain.pem`),
  };
  await identityAt(leader.keyFile, leader.chainFile, {
    subject: `CN=Lãnh đạo (thử nghiệm),O=${escapeDnValue(agency.name)},C=VN`,
    role: 'signer',
    issuer: ca,
  });
  return leader;
}

/**
 * The identity stored at `keyFile` and `chainFile` (leaf then issuer), or a new one written there.
 * The chain file ends with the CA so `edoc countersign --cert` and the signer adapter embed it.
 */
async function identityAt(
  keyFile: string,
  chainFile: string,
  options: IssueOptions,
): Promise<IssuedIdentity> {
  if ((await exists(keyFile)) && (await exists(chainFile))) {
    const chain = await readFile(chainFile, 'latin1');
    const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/.exec(chain);
    return { keyPem: await readFile(keyFile, 'latin1'), certificatePem: first?.[0] ?? chain };
  }
  const identity = issueIdentity(options);
  await writeFile(keyFile, identity.keyPem, { mode: 0o600 });
  await writeFile(chainFile, identity.certificatePem + (options.issuer?.certificatePem ?? ''));
  return identity;
}

/** RFC 4514 escapes for a value put into a subject string. */
function escapeDnValue(value: string): string {
  return value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
