import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgencyKeyRecord,
  AgencyKeyRegistry,
  InstalledAgencyKey,
  PendingAgencyKey,
} from '#ports/agency-key-registry.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { KeyProvisioner } from '#ports/key-provisioner.ts';
import type { Caller } from '#shared/documents/caller.ts';
import {
  AccessDeniedError,
  AgencyKeysUnavailableError,
  CertificateRefusedError,
  NoPendingKeyError,
  UnknownAgencyError,
} from '#shared/documents/errors.ts';
import { ReferenceCache } from '#shared/documents/reference-data.ts';
import {
  type InstallCertificateDeps,
  installAgencyCertificate,
  provisionAgencyKey,
  subjectOf,
  withInstalledKeys,
} from '#shared/keys/agency-keys.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { derToPem, makeTestPki, type TestPki } from '#test/support/signing-pki.ts';
import { InMemoryReferenceStore } from '../documents/in-memory-reference-store.ts';
import { forgeReadCsr, opensslVerifiesCsr } from './csr-checks.ts';

const AGENCY = '000.00.08.H48';
const AGENCY_NAME = 'Sở Thông tin và Truyền thông';
const admin: Caller = { agency: '000.00.01.H48', role: 'admin', user: 'admin-1' };
const clerk: Caller = { agency: AGENCY, role: 'agency', user: 'clerk-1' };

class InMemoryRegistry implements AgencyKeyRegistry {
  readonly records = new Map<string, AgencyKeyRecord>();

  async get(agency: string) {
    return this.records.get(agency);
  }

  async listInstalled() {
    return [...this.records.values()].filter((r) => r.installed !== undefined);
  }

  async putPending(agency: string, pending: PendingAgencyKey) {
    const current = this.records.get(agency);
    if (current?.pending) return current.pending;
    this.records.set(agency, { ...current, agency, pending });
    return pending;
  }

  async install(agency: string, installed: InstalledAgencyKey) {
    const current = this.records.get(agency);
    if (current?.pending?.keyId !== installed.keyId) return false;
    this.records.set(agency, { agency, installed });
    return true;
  }
}

/** Keys held in memory, signing with FileSigner as KMS would. */
class InMemoryKeys implements KeyProvisioner {
  readonly pems = new Map<string, string>();
  readonly active = new Set<string>();
  created = 0;

  async createSigningKey() {
    this.created += 1;
    const keyId = randomUUID();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.pems.set(keyId, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    return { keyId };
  }

  signer(keyId: string) {
    const pem = this.pems.get(keyId);
    if (pem === undefined) throw new Error(`no key ${keyId}`);
    return new FileSigner(pem);
  }

  async activate(keyId: string) {
    this.active.add(keyId);
  }
}

class InMemoryStore implements DocumentStore {
  readonly objects = new Map<string, Buffer>();
  async get(key: string) {
    const body = this.objects.get(key);
    if (body === undefined) throw new Error(`no object ${key}`);
    return body;
  }
  async put(key: string, body: Buffer) {
    this.objects.set(key, body);
  }
}

let pki: TestPki;
let otherPki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
  otherPki = makeTestPki();
});
afterAll(() => {
  pki.cleanup();
  otherPki.cleanup();
});

function makeDeps(): InstallCertificateDeps & {
  registry: InMemoryRegistry;
  keys: InMemoryKeys;
  certificates: InMemoryStore;
  reference: ReferenceCache;
} {
  const registry = new InMemoryRegistry();
  const clock = { now: () => new Date() };
  return {
    reference: new ReferenceCache({
      base: { directory: QUANG_NGAI_DIRECTORY, catalogue: SEED_DOCUMENT_TYPES },
      store: new InMemoryReferenceStore(),
      keys: registry,
      clock,
    }),
    keys: new InMemoryKeys(),
    registry,
    clock,
    certificates: new InMemoryStore(),
    trust: { trustAnchors: parsePemBundle(readFileSync(pki.rootFile, 'latin1')) },
  };
}

const chainPem = (ders: readonly Buffer[]) => ders.map(derToPem).join('');
const subject = (o: string) => `/C=VN/O=${o}/CN=${o}`;

async function provisioned() {
  const deps = makeDeps();
  const request = await provisionAgencyKey(deps, admin, AGENCY);
  return { deps, request, keyPem: deps.keys.pems.get(request.keyId) ?? '' };
}

describe('provisionAgencyKey', () => {
  it('returns a CSR for the agency name, signed by the new key, that openssl and node-forge verify', async () => {
    const { request, keyPem } = await provisioned();

    const csr = forgeReadCsr(request.csr);
    expect(opensslVerifiesCsr(request.csr)).toBe(true);
    expect(csr.verified).toBe(true);
    expect(csr.organization).toBe(AGENCY_NAME);
    expect(csr.country).toBe('VN');
    const expectedKey = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' });
    expect(csr.publicKeyPem.replace(/\r/g, '')).toBe(expectedKey);
    expect(request.publicKey).toBe(expectedKey);
    expect(request).toMatchObject({ agency: AGENCY, status: 'pending' });
  });

  it('returns the pending key and the same CSR when asked again', async () => {
    const { deps, request } = await provisioned();

    const again = await provisionAgencyKey(deps, admin, AGENCY);

    expect(again.keyId).toBe(request.keyId);
    expect(again.csr).toBe(request.csr);
    expect(deps.keys.created).toBe(1);
  });

  it('refuses agency callers and unknown agencies, and answers unavailable without a key store', async () => {
    const deps = makeDeps();

    await expect(provisionAgencyKey(deps, clerk, AGENCY)).rejects.toThrow(AccessDeniedError);
    await expect(provisionAgencyKey(deps, admin, '000.00.99.H48')).rejects.toThrow(
      UnknownAgencyError,
    );
    await expect(provisionAgencyKey(undefined, admin, AGENCY)).rejects.toThrow(
      AgencyKeysUnavailableError,
    );
    expect(deps.keys.created).toBe(0);
  });

  it('escapes RFC 4514 specials in the organization name', () => {
    expect(subjectOf({ name: 'Sở A, B + C' })).toBe('O=Sở A\\, B \\+ C,C=VN');
  });
});

describe('installAgencyCertificate', () => {
  it('stores the chain and puts the key in service when the chain is for the key and trusted', async () => {
    const { deps, request, keyPem } = await provisioned();
    const chain = chainPem(pki.issue(keyPem, subject(AGENCY_NAME)));

    const result = await installAgencyCertificate(deps, admin, AGENCY, { chain });

    expect(result.organizationSigning).toEqual({
      key: { kind: 'kms', keyId: request.keyId },
      certificateChain: {
        kind: 'object',
        key: `certificates/${AGENCY}/${request.keyId}/chain.pem`,
      },
    });
    const stored = deps.certificates.objects.get(result.organizationSigning.certificateChain.key);
    expect(parsePemBundle(stored?.toString('latin1') ?? '')).toEqual(parsePemBundle(chain));
    expect(deps.keys.active.has(request.keyId)).toBe(true);
    const record = await deps.registry.get(AGENCY);
    expect(record?.pending).toBeUndefined();
    expect(record?.installed?.keyId).toBe(request.keyId);
    const directory = withInstalledKeys(QUANG_NGAI_DIRECTORY.agencies, [record ?? { agency: '' }]);
    expect(directory.find((a) => a.code === AGENCY)?.organizationSigning).toEqual(
      result.organizationSigning,
    );
  });

  it('drops the reference cache, so the directory in force names the installed key at once', async () => {
    const { deps, keyPem } = await provisioned();
    const before = await deps.reference.current();
    const chain = chainPem(pki.issue(keyPem, subject(AGENCY_NAME)));

    const result = await installAgencyCertificate(deps, admin, AGENCY, { chain });
    const after = await deps.reference.current();

    expect(before.directory.find(AGENCY)?.organizationSigning).toEqual(
      QUANG_NGAI_DIRECTORY.find(AGENCY)?.organizationSigning,
    );
    expect(after.directory.find(AGENCY)?.organizationSigning).toEqual(result.organizationSigning);
  });

  it('answers the same when the installed chain is offered again', async () => {
    const { deps, keyPem } = await provisioned();
    const chain = chainPem(pki.issue(keyPem, subject(AGENCY_NAME)));
    const first = await installAgencyCertificate(deps, admin, AGENCY, { chain });

    const second = await installAgencyCertificate(deps, admin, AGENCY, { chain });

    expect(second).toEqual(first);
  });

  it('refuses a certificate for another key, saying so', async () => {
    const { deps } = await provisioned();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const chain = chainPem(pki.issue(otherKey, subject(AGENCY_NAME)));

    const refusal = installAgencyCertificate(deps, admin, AGENCY, { chain });

    await expect(refusal).rejects.toThrow(CertificateRefusedError);
    await expect(refusal).rejects.toThrow(/not the key provisioned/);
    expect((await deps.registry.get(AGENCY))?.installed).toBeUndefined();
    expect(deps.certificates.objects.size).toBe(0);
  });

  it('refuses a chain that does not reach the trust anchors', async () => {
    const { deps, keyPem } = await provisioned();
    const chain = chainPem(otherPki.issue(keyPem, subject(AGENCY_NAME)));

    await expect(installAgencyCertificate(deps, admin, AGENCY, { chain })).rejects.toThrow(
      /NO_CERTIFICATE_CHAIN_FOUND/,
    );
  });

  it('refuses a certificate naming another organization', async () => {
    const { deps, keyPem } = await provisioned();
    const chain = chainPem(pki.issue(keyPem, subject('Sở Tài chính')));

    await expect(installAgencyCertificate(deps, admin, AGENCY, { chain })).rejects.toThrow(
      /names O=Sở Tài chính, not the agency/,
    );
  });

  it('refuses a chain before any key is provisioned, and text that holds no certificate', async () => {
    const deps = makeDeps();
    const { deps: pendingDeps } = await provisioned();

    await expect(
      installAgencyCertificate(deps, admin, AGENCY, { chain: 'not a chain' }),
    ).rejects.toThrow(NoPendingKeyError);
    await expect(
      installAgencyCertificate(pendingDeps, admin, AGENCY, { chain: 'not a chain' }),
    ).rejects.toThrow(/no PEM certificate/);
  });
});
