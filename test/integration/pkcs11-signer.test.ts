import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import { buildPadesCms } from '#signature/cms-builder.ts';
import { Pkcs11Signer } from '#signature/signers/pkcs11-signer.ts';
import { makeTestPki } from '#test/support/signing-pki.ts';
import { hasSoftHsm, makeSoftHsmToken, SOFTHSM_LIBRARY } from '#test/support/softhsm.ts';

const library = SOFTHSM_LIBRARY;

describe.skipIf(!hasSoftHsm)(
  `Pkcs11Signer on a SoftHSM2 token${hasSoftHsm ? '' : ` (skipped: ${library} is not installed)`}`,
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edoc-softhsm-'));
    const keys = { rsa: path.join(dir, 'rsa.pk8'), ec: path.join(dir, 'ec.pk8') };
    const options = (keyLabel: string, algorithm: SignatureAlgorithm) => ({
      library,
      tokenLabel: 'edoc',
      pin: '1234',
      keyLabel,
      algorithm,
    });

    beforeAll(() => {
      const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
      openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keys.rsa);
      openssl(
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        keys.ec,
      );
      makeSoftHsmToken(dir, { label: 'edoc', pin: '1234' }, [
        { file: keys.rsa, label: 'org' },
        { file: keys.ec, label: 'org-ec' },
      ]);
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const publicKeyOf = (file: string) =>
      createPublicKey(readFileSync(file)).export({ type: 'spki', format: 'der' });
    const data = Buffer.from('Văn bản đi số 25/UBND-VX');
    const digest = createHash('sha256').update(data).digest();

    it('signs a digest with RSA PKCS#1 v1.5 that node:crypto verifies over the data', async () => {
      const signer = Pkcs11Signer.open(options('org', 'RSASSA_PKCS1_V1_5_SHA_256'));
      try {
        const signature = await signer.sign(digest);

        expect(verify('sha256', data, createPublicKey(readFileSync(keys.rsa)), signature)).toBe(
          true,
        );
        expect((await signer.publicKey()).equals(publicKeyOf(keys.rsa))).toBe(true);
      } finally {
        await signer.close();
      }
    });

    it('signs with RSASSA-PSS, salt length equal to the hash length', async () => {
      const signer = Pkcs11Signer.open(options('org', 'RSASSA_PSS_SHA_256'));
      try {
        const signature = await signer.sign(digest);

        const key = {
          key: createPublicKey(readFileSync(keys.rsa)),
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        };
        expect(verify('sha256', data, key, signature)).toBe(true);
      } finally {
        await signer.close();
      }
    });

    it('signs with ECDSA P-256, DER-encoded, and exports the EC public key', async () => {
      const signer = Pkcs11Signer.open(options('org-ec', 'ECDSA_SHA_256'));
      try {
        const signature = await signer.sign(digest);

        const key = { key: createPublicKey(readFileSync(keys.ec)), dsaEncoding: 'der' } as const;
        expect(verify('sha256', data, key, signature)).toBe(true);
        expect((await signer.publicKey()).equals(publicKeyOf(keys.ec))).toBe(true);
      } finally {
        await signer.close();
      }
    });

    it('keeps two signers on one module working side by side, with concurrent signatures', async () => {
      const rsa = Pkcs11Signer.open(options('org', 'RSASSA_PKCS1_V1_5_SHA_256'));
      const ec = Pkcs11Signer.open(options('org-ec', 'ECDSA_SHA_256'));
      try {
        const messages = Array.from({ length: 6 }, () => randomBytes(64));
        const sha256 = (m: Buffer) => createHash('sha256').update(m).digest();

        const signatures = await Promise.all(
          messages.map(async (m) => [await rsa.sign(sha256(m)), await ec.sign(sha256(m))] as const),
        );

        const rsaKey = createPublicKey(readFileSync(keys.rsa));
        const ecKey = createPublicKey(readFileSync(keys.ec));
        signatures.forEach(([rsaSignature, ecSignature], i) => {
          const m = messages[i] ?? Buffer.alloc(0);
          expect(verify('sha256', m, rsaKey, rsaSignature)).toBe(true);
          expect(verify('sha256', m, { key: ecKey, dsaEncoding: 'der' }, ecSignature)).toBe(true);
        });
      } finally {
        await rsa.close();
        await ec.close();
      }
    });

    it('countersigns a PAdES CMS that openssl verifies', async () => {
      const pki = makeTestPki();
      const signer = Pkcs11Signer.open(options('org', 'RSASSA_PKCS1_V1_5_SHA_256'));
      try {
        const content = randomBytes(2048);
        const cms = await buildPadesCms({
          contentDigest: createHash('sha256').update(content).digest(),
          digestAlgorithm: 'sha256',
          signer,
          certificateChain: pki.issue(
            readFileSync(keys.rsa, 'utf8'),
            '/C=VN/O=Sở Thông tin và Truyền thông/CN=Văn thư',
          ),
        });

        expect(pki.verifiesCms(cms, content)).toBe(true);
      } finally {
        await signer.close();
        pki.cleanup();
      }
    });

    it('refuses a wrong PIN, an unknown key and an unknown token with SignerError', () => {
      expect(() => Pkcs11Signer.open({ ...options('org', 'ECDSA_SHA_256'), pin: '0000' })).toThrow(
        SignerError,
      );
      expect(() => Pkcs11Signer.open(options('missing', 'ECDSA_SHA_256'))).toThrow(
        /no private key/,
      );
      expect(() =>
        Pkcs11Signer.open({ ...options('org', 'ECDSA_SHA_256'), tokenLabel: 'other' }),
      ).toThrow(/no PKCS#11 token/);
    });

    it('refuses an algorithm that does not fit the key type', () => {
      expect(() => Pkcs11Signer.open(options('org', 'ECDSA_SHA_256'))).toThrow(/does not fit/);
    });

    it('refuses to sign once closed', async () => {
      const signer = Pkcs11Signer.open(options('org-ec', 'ECDSA_SHA_256'));
      await signer.close();

      await expect(signer.sign(digest)).rejects.toThrow(/closed/);
    });

    it('finishes the signatures already asked for before closing', async () => {
      const signer = Pkcs11Signer.open(options('org', 'RSASSA_PKCS1_V1_5_SHA_256'));
      const pending = [signer.sign(digest), signer.sign(digest)];

      await signer.close();

      for (const signature of await Promise.all(pending)) {
        expect(verify('sha256', data, createPublicKey(readFileSync(keys.rsa)), signature)).toBe(
          true,
        );
      }
    });
  },
);
