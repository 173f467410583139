import { execFileSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryOrganizationSigners } from '#adapters/directory-organization-signers.ts';
import { StaticSecretSource } from '#adapters/secret-sources.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import { type AgencyDirectory, loadAgencyDirectory } from '#shared/routing/directory.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { derToPem, makeTestPki } from '#test/support/signing-pki.ts';
import { hasSoftHsm, makeSoftHsmToken, SOFTHSM_LIBRARY } from '#test/support/softhsm.ts';

const library = SOFTHSM_LIBRARY;
const OFFICE = '000.00.01.H48';

/** Chains are files here; the object store must not be asked. */
const noObjects: DocumentStore = {
  get: () => Promise.reject(new Error('no object store in this test')),
  put: () => Promise.reject(new Error('no object store in this test')),
};

describe.skipIf(!hasSoftHsm)(
  `organization signers for PKCS#11 keys, on a SoftHSM2 token${hasSoftHsm ? '' : ' (skipped: SoftHSM2 is not installed)'}`,
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edoc-org-pkcs11-'));
    let directory: AgencyDirectory;
    let leaf: X509Certificate;

    beforeAll(() => {
      const keyFile = path.join(dir, 'org.pk8');
      execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', keyFile], {
        stdio: 'pipe',
      });
      makeSoftHsmToken(dir, { label: 'edoc-vp', pin: '1234' }, [
        { file: keyFile, label: 'org-office' },
      ]);
      const chain = makeTestPki().issue(
        readFileSync(keyFile, 'utf8'),
        '/CN=Văn phòng UBND tỉnh Quảng Ngãi/O=Văn phòng UBND tỉnh Quảng Ngãi/C=VN',
      );
      const [leafDer] = chain;
      if (leafDer === undefined) throw new Error('no leaf issued');
      leaf = new X509Certificate(leafDer);
      const chainFile = path.join(dir, 'chain.pem');
      writeFileSync(chainFile, chain.map(derToPem).join(''));
      directory = loadAgencyDirectory(
        QUANG_NGAI_DIRECTORY.agencies.map((a) =>
          a.code === OFFICE
            ? {
                ...a,
                organizationSigning: {
                  key: { kind: 'pkcs11', tokenLabel: 'edoc-vp', keyLabel: 'org-office' },
                  certificateChain: { kind: 'file', path: chainFile },
                },
              }
            : a,
        ),
      );
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // First: once a session of this process has logged in, PKCS#11 counts the token as logged in.
    it('refuses a wrong PIN rather than signing', async () => {
      const signers = new DirectoryOrganizationSigners({
        directory,
        certificates: noObjects,
        pkcs11: { library, pin: new StaticSecretSource('0000') },
      });

      await expect(signers.forAgency(OFFICE)).rejects.toThrow();
    });
    it('signs with the key in the token when the function has the PKCS#11 module and PIN', async () => {
      const signers = new DirectoryOrganizationSigners({
        directory,
        certificates: noObjects,
        pkcs11: { library, pin: new StaticSecretSource('1234') },
      });

      const resolved = await signers.forAgency(OFFICE);
      if (resolved === undefined) throw new Error('no signer for the office');
      const digest = createHash('sha256').update('Công văn 1808/UBND-KGVX').digest();
      const signature = await resolved.signer.sign(digest);

      expect(resolved.signer.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
      expect(
        Buffer.compare(
          await resolved.signer.publicKey(),
          leaf.publicKey.export({ type: 'spki', format: 'der' }),
        ),
      ).toBe(0);
      expect(
        verify('sha256', Buffer.from('Công văn 1808/UBND-KGVX'), leaf.publicKey, signature),
      ).toBe(true);
      expect(resolved.certificateChain).toHaveLength(2);
    });

    it('refuses a PKCS#11 key with a clear error when no module is configured', async () => {
      const signers = new DirectoryOrganizationSigners({ directory, certificates: noObjects });

      await expect(signers.forAgency(OFFICE)).rejects.toThrow(/PKCS11_MODULE/);
    });
  },
);
