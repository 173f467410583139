import { createPublicKey, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import {
  type agencyKeyRequestSchema,
  installCertificateBodySchema,
  type installedCertificateSchema,
} from '../documents/api-schemas.ts';
import type { Caller } from '../documents/caller.ts';
import { parseRequest, requireAdmin } from '../documents/document-queries.ts';
import {
  AgencyKeysUnavailableError,
  CertificateRefusedError,
  NoPendingKeyError,
  UnknownAgencyError,
} from '../documents/errors.ts';
import type {
  AgencyKeyRecord,
  AgencyKeyRegistry,
  InstalledAgencyKey,
  PendingAgencyKey,
} from '../ports/agency-key-registry.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import type { KeyProvisioner } from '../ports/key-provisioner.ts';
import type { SignatureAlgorithm } from '../ports/signer.ts';
import type { Agency, AgencyDirectory } from '../routing/directory.ts';
import {
  type CertificateInfo,
  certificateSummary,
  parseCertificate,
  parsePemBundle,
  readName,
  validateCertificatePath,
} from '../signature/certificates.ts';
import { buildCsr, toPem } from '../signature/csr.ts';
import type { ValidationPolicy } from '../signature/policy.ts';

/**
 * RSA 3072 with PKCS#1 v1.5 and SHA-256: what the government CA issues organization certificates
 * for and every PDF reader verifies, and deterministic, so a repeated request returns the same CSR.
 */
export const AGENCY_KEY_ALGORITHM: SignatureAlgorithm = 'RSASSA_PKCS1_V1_5_SHA_256';

/** Where an agency's installed chain is stored: per key, so a new chain never replaces one in use. */
export const chainObjectKey = (agency: string, keyId: string): string =>
  `certificates/${agency}/${keyId}/chain.pem`;

export interface KeyTrust {
  /** DER roots, e.g. the Government CA of Ban Cơ yếu Chính phủ. */
  readonly trustAnchors: readonly Buffer[];
  readonly intermediates?: readonly Buffer[];
  readonly crls?: readonly Buffer[];
  readonly policy?: ValidationPolicy;
}

export interface AgencyKeyDeps {
  /**
   * The directory in force (the API's reference cache): read afresh per request, so an agency
   * added through the API a moment ago can get a key, and dropped once a key is installed, so
   * this function serves the installed key at once.
   */
  readonly reference: {
    latest(): Promise<{ readonly directory: AgencyDirectory }>;
    invalidate(): void;
  };
  readonly keys: KeyProvisioner;
  readonly registry: AgencyKeyRegistry;
  readonly clock: { now(): Date };
}

export interface InstallCertificateDeps extends AgencyKeyDeps {
  /** The store countersigning reads `{ kind: 'object' }` chains from. */
  readonly certificates: DocumentStore;
  readonly trust: KeyTrust;
}

export type AgencyKeyRequest = z.infer<typeof agencyKeyRequestSchema>;
export type InstalledCertificate = z.infer<typeof installedCertificateSchema>;

/**
 * `POST /admin/agencies/{code}/key`:
 * 1. the caller is an administrator, the deployment provisions keys (else 503), the agency exists;
 * 2. the key already pending for the agency is reused, or a new one is created and recorded as
 *    pending (a concurrent request that recorded first wins; the loser's key stays unused);
 * 3. a PKCS#10 request (O = the agency's name, C = VN) is signed by that key in the key store.
 * Repeating the call returns the same key and, the signature being deterministic, the same CSR.
 */
export async function provisionAgencyKey(
  deps: AgencyKeyDeps | undefined,
  caller: Caller,
  code: string,
): Promise<AgencyKeyRequest> {
  requireAdmin(caller);
  if (deps === undefined) throw new AgencyKeysUnavailableError();
  const agency = findAgency((await deps.reference.latest()).directory, code);
  const pending =
    (await deps.registry.get(code))?.pending ?? (await createPendingKey(deps, agency.code));
  const signer = deps.keys.signer(pending.keyId);
  const csr = await buildCsr({ subject: subjectOf(agency), signer });
  return {
    agency: agency.code,
    status: 'pending',
    keyId: pending.keyId,
    algorithm: pending.algorithm,
    requestedAt: pending.requestedAt,
    csr: toPem(csr),
    publicKey: toPem(await signer.publicKey(), 'PUBLIC KEY'),
  };
}

async function createPendingKey(deps: AgencyKeyDeps, agency: string): Promise<PendingAgencyKey> {
  const { keyId } = await deps.keys.createSigningKey({ agency });
  return deps.registry.putPending(agency, {
    keyId,
    algorithm: AGENCY_KEY_ALGORITHM,
    requestedAt: deps.clock.now().toISOString(),
  });
}

/**
 * `PUT /admin/agencies/{code}/certificate`:
 * 1. the caller is an administrator, the deployment provisions keys (else 503), the agency exists
 *    and has a pending key (else 409);
 * 2. the chain is refused (400, every reason listed) unless its leaf holds the pending key's
 *    public key, is for signing, names the agency as O, and validates to the trust anchors now;
 * 3. the chain is stored, the key recorded as installed (only if still the pending one), the
 *    key marked active in the key store, and the reference cache dropped: every function's
 *    directory names the key within the cache's age, this one's at once.
 * Offering the installed chain again repeats step 3's last part and answers the same.
 */
export async function installAgencyCertificate(
  deps: InstallCertificateDeps | undefined,
  caller: Caller,
  code: string,
  body: unknown,
): Promise<InstalledCertificate> {
  requireAdmin(caller);
  if (deps === undefined) throw new AgencyKeysUnavailableError();
  const agency = findAgency((await deps.reference.latest()).directory, code);
  const { chain } = parseRequest(installCertificateBodySchema, body);
  const record = await deps.registry.get(code);
  if (record?.pending === undefined) {
    const installed = record?.installed;
    const offered = installed ? readChainIfValid(chain) : undefined;
    if (installed && offered && installed.leafFingerprint === offered.leaf.fingerprint) {
      await deps.keys.activate(installed.keyId);
      deps.reference.invalidate();
      return installedView(agency.code, installed, offered.leaf);
    }
    throw new NoPendingKeyError(code);
  }
  const { certificates, leaf } = readChain(chain);
  const pending = record.pending;
  const publicKey = await deps.keys.signer(pending.keyId).publicKey();
  const reasons = refusals(agency, leaf, certificates.slice(1), publicKey, deps);
  if (reasons.length > 0) throw new CertificateRefusedError(reasons);

  const installed: InstalledAgencyKey = {
    keyId: pending.keyId,
    algorithm: pending.algorithm,
    chainKey: chainObjectKey(agency.code, pending.keyId),
    leafFingerprint: leaf.fingerprint,
    notAfter: leaf.notAfter.toISOString(),
    installedAt: deps.clock.now().toISOString(),
  };
  const pem = certificates.map((der) => toPem(der, 'CERTIFICATE')).join('');
  await deps.certificates.put(installed.chainKey, Buffer.from(pem, 'latin1'), {
    contentType: 'application/x-pem-file',
  });
  if (!(await deps.registry.install(agency.code, installed))) throw new NoPendingKeyError(code);
  await deps.keys.activate(installed.keyId);
  deps.reference.invalidate();
  return installedView(agency.code, installed, leaf);
}

function readChain(chain: string): { certificates: Buffer[]; leaf: CertificateInfo } {
  const certificates = parsePemBundle(chain);
  const [leafDer] = certificates;
  if (leafDer === undefined) throw new CertificateRefusedError(['no PEM certificate in the chain']);
  try {
    return { certificates, leaf: parseCertificate(leafDer) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CertificateRefusedError([`the first certificate is unreadable: ${message}`]);
  }
}

function readChainIfValid(chain: string): ReturnType<typeof readChain> | undefined {
  try {
    return readChain(chain);
  } catch {
    return undefined;
  }
}

/** Why the chain cannot serve as the agency's organization certificate; empty when it can. */
function refusals(
  agency: Agency,
  leaf: CertificateInfo,
  intermediates: readonly Buffer[],
  publicKey: Buffer,
  deps: InstallCertificateDeps,
): string[] {
  const reasons: string[] = [];
  if (!sameKey(leaf.x509.publicKey, publicKey)) {
    reasons.push("the certificate's public key is not the key provisioned for the agency");
  }
  if (leaf.basicConstraints?.ca === true) reasons.push('the certificate is a CA certificate');
  const usage = leaf.keyUsage;
  if (usage === undefined || !(usage.has('digitalSignature') || usage.has('nonRepudiation'))) {
    reasons.push(
      'the certificate is not for signing (keyUsage lacks digitalSignature and nonRepudiation)',
    );
  }
  const organizations = readName(leaf.subjectDer).attributes.get('O') ?? [];
  if (!organizations.some((o) => sameName(o, agency.name))) {
    const named = organizations.length === 0 ? 'no O' : `O=${organizations.join(', O=')}`;
    reasons.push(`the certificate names ${named}, not the agency "${agency.name}"`);
  }
  const path = validateCertificatePath(leaf.der, {
    trustAnchors: deps.trust.trustAnchors,
    intermediates: [...intermediates, ...(deps.trust.intermediates ?? [])],
    crls: deps.trust.crls ?? [],
    validationTime: deps.clock.now(),
    purpose: 'signature',
    ...(deps.trust.policy ? { policy: deps.trust.policy } : {}),
  });
  if (path.indication !== 'TOTAL_PASSED') {
    reasons.push(
      ...path.reasons.map(
        (reason) => `the chain does not validate (${path.subIndication}): ${reason}`,
      ),
    );
  }
  return reasons;
}

function sameKey(certificateKey: KeyObject, spki: Buffer): boolean {
  try {
    const provisioned = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    return certificateKey.equals(provisioned);
  } catch {
    return false;
  }
}

const normalize = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ');
const sameName = (a: string, b: string) => normalize(a) === normalize(b);

function findAgency(directory: AgencyDirectory, code: string): Agency {
  const agency = directory.find(code);
  if (agency === undefined) throw new UnknownAgencyError(code);
  return agency;
}

/** `O=<name>,C=VN`, the name escaped as RFC 4514 requires. */
export function subjectOf(agency: Pick<Agency, 'name'>): string {
  const escaped = agency.name
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
  return `O=${escaped},C=VN`;
}

function installedView(
  agency: string,
  installed: InstalledAgencyKey,
  leaf: CertificateInfo,
): InstalledCertificate {
  const summary = certificateSummary(leaf);
  return {
    agency,
    status: 'installed',
    keyId: installed.keyId,
    installedAt: installed.installedAt,
    organizationSigning: organizationSigningOf(installed),
    certificate: {
      subject: summary.subject,
      issuer: summary.issuer,
      serialNumber: summary.serialNumber,
      notBefore: summary.notBefore,
      notAfter: summary.notAfter,
    },
  };
}

/** The directory's `organizationSigning` for an installed key. */
export function organizationSigningOf(installed: Pick<InstalledAgencyKey, 'keyId' | 'chainKey'>): {
  key: { kind: 'kms'; keyId: string };
  certificateChain: { kind: 'object'; key: string };
} {
  return {
    key: { kind: 'kms', keyId: installed.keyId },
    certificateChain: { kind: 'object', key: installed.chainKey },
  };
}

/**
 * The directory with each agency's installed key in place of its configured signing reference:
 * how directory readers (the API, countersigning) take the registry into account.
 */
export function withInstalledKeys(
  agencies: readonly Agency[],
  records: readonly AgencyKeyRecord[],
): Agency[] {
  const byAgency = new Map(records.map((r) => [r.agency, r.installed]));
  return agencies.map((agency) => {
    const installed = byAgency.get(agency.code);
    return installed
      ? { ...agency, organizationSigning: organizationSigningOf(installed) }
      : agency;
  });
}
