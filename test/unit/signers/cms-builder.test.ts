import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import { buildPadesCms, estimateCmsSize } from '#signature/cms-builder.ts';
import { hashOf } from '#signature/signers/algorithms.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import {
  bytesOf,
  child,
  children,
  encode,
  isContext,
  oidOf,
  parseDer,
  signedDataOf,
  signerInfoOf,
} from '#test/support/cms-inspect.ts';
import { makeTestPki } from '#test/support/signing-pki.ts';

const pki = makeTestPki();
afterAll(() => pki.cleanup());

const oid = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

function keyPem(kind: 'rsa' | 'P-256' | 'P-384'): string {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: kind });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

const cases: Array<[string, 'rsa' | 'P-256' | 'P-384', SignatureAlgorithm, string]> = [
  ['RSA PKCS#1 v1.5', 'rsa', 'RSASSA_PKCS1_V1_5_SHA_256', '1.2.840.113549.1.1.11'],
  ['RSA PKCS#1 v1.5 SHA-512', 'rsa', 'RSASSA_PKCS1_V1_5_SHA_512', '1.2.840.113549.1.1.13'],
  ['RSASSA-PSS', 'rsa', 'RSASSA_PSS_SHA_256', '1.2.840.113549.1.1.10'],
  ['RSASSA-PSS SHA-384', 'rsa', 'RSASSA_PSS_SHA_384', '1.2.840.113549.1.1.10'],
  ['ECDSA P-256', 'P-256', 'ECDSA_SHA_256', '1.2.840.10045.4.3.2'],
  ['ECDSA P-384', 'P-384', 'ECDSA_SHA_384', '1.2.840.10045.4.3.3'],
];

describe('buildPadesCms', () => {
  it.each(cases)(
    'builds a detached CMS that openssl verifies, %s',
    async (_name, kind, algorithm, sigOid) => {
      const pem = keyPem(kind);
      const chain = pki.issue(pem, '/C=VN/O=Sở Thông tin và Truyền thông/CN=Văn thư');
      const signer = new FileSigner(pem, algorithm);
      const hash = hashOf(algorithm);
      const content = randomBytes(4096);

      const cms = await buildPadesCms({
        contentDigest: createHash(hash).update(content).digest(),
        digestAlgorithm: hash,
        signer,
        certificateChain: chain,
      });

      expect(pki.verifiesCms(cms, content)).toBe(true);
      expect(pki.verifiesCms(cms, Buffer.concat([content, Buffer.from([0])]))).toBe(false);
      expect(cms.length).toBeLessThanOrEqual(estimateCmsSize(chain, false));
      const signatureAlgorithm = child(signerInfoOf(cms), 4);
      expect(oidOf(child(signatureAlgorithm, 0))).toBe(sigOid);
    },
  );

  it('signs exactly contentType, messageDigest and signing-certificate-v2, in DER order, no signing-time', async () => {
    const pem = keyPem('rsa');
    const chain = pki.issue(pem, '/C=VN/O=Sở Thông tin và Truyền thông/CN=Văn thư');
    const [leaf = Buffer.alloc(0)] = chain;
    const digest = createHash('sha256').update('byte ranges').digest();

    const cms = await buildPadesCms({
      contentDigest: digest,
      digestAlgorithm: 'sha256',
      signer: new FileSigner(pem),
      certificateChain: chain,
    });

    const signerInfo = signerInfoOf(cms);
    const signedAttrs = child(signerInfo, 3);
    expect(isContext(signedAttrs, 0)).toBe(true);
    const attributes = children(signedAttrs);
    const types = attributes.map((a) => oidOf(child(a, 0)));
    expect([...types].sort()).toEqual(
      [oid.contentType, oid.messageDigest, oid.signingCertificateV2].sort(),
    );
    expect(types).not.toContain(oid.signingTime);
    const encodings = attributes.map(encode);
    expect(encodings).toEqual([...encodings].sort(Buffer.compare));

    const byType = new Map(attributes.map((a) => [oidOf(child(a, 0)), child(a, 1)]));
    expect(bytesOf(child(byType.get(oid.messageDigest), 0))).toEqual(digest);
    const essCertId = child(child(child(byType.get(oid.signingCertificateV2), 0), 0), 0);
    const certHash = child(essCertId, 0);
    expect(certHash.type).toBe(forge.asn1.Type.OCTETSTRING);
    expect(bytesOf(certHash)).toEqual(createHash('sha256').update(leaf).digest());
    expect(children(essCertId)).toHaveLength(2);
    const issuerSerial = child(essCertId, 1);
    const leafTbs = child(parseDer(leaf), 0);
    const directoryName = child(child(issuerSerial, 0), 0);
    expect(isContext(directoryName, 4)).toBe(true);
    expect(encode(child(directoryName, 0))).toEqual(encode(child(leafTbs, 3)));
    expect(encode(child(issuerSerial, 1))).toEqual(encode(child(leafTbs, 1)));
    expect(children(signerInfo)).toHaveLength(6);
  });

  it('carries every certificate of the chain', async () => {
    const pem = keyPem('P-256');
    const chain = pki.issue(pem, '/C=VN/O=Test/CN=Org');

    const cms = await buildPadesCms({
      contentDigest: randomBytes(32),
      digestAlgorithm: 'sha256',
      signer: new FileSigner(pem),
      certificateChain: chain,
    });

    const certificates = children(signedDataOf(cms)).find((n) => isContext(n, 0));
    const carried = certificates ? children(certificates).map(encode) : [];
    expect(carried.sort(Buffer.compare)).toEqual([...chain].sort(Buffer.compare));
  });

  it('refuses a signer whose key is not the certificate key', async () => {
    const chain = pki.issue(keyPem('rsa'), '/C=VN/O=Test/CN=Org');

    await expect(
      buildPadesCms({
        contentDigest: randomBytes(32),
        digestAlgorithm: 'sha256',
        signer: new FileSigner(keyPem('rsa')),
        certificateChain: chain,
      }),
    ).rejects.toThrow(/does not match the signing certificate/);
  });

  it('refuses a digest algorithm other than the signer hash', async () => {
    const pem = keyPem('rsa');
    await expect(
      buildPadesCms({
        contentDigest: randomBytes(48),
        digestAlgorithm: 'sha384',
        signer: new FileSigner(pem, 'RSASSA_PKCS1_V1_5_SHA_256'),
        certificateChain: pki.issue(pem, '/C=VN/O=Test/CN=Org'),
      }),
    ).rejects.toThrow(SignerError);
  });

  it('refuses a signature that does not verify, rather than returning a broken seal', async () => {
    const pem = keyPem('rsa');
    const good = new FileSigner(pem);
    const broken = {
      algorithm: good.algorithm,
      publicKey: () => good.publicKey(),
      sign: async (d: Buffer) => {
        const s = await good.sign(d);
        s[10] = (s[10] ?? 0) ^ 1;
        return s;
      },
    };

    await expect(
      buildPadesCms({
        contentDigest: randomBytes(32),
        digestAlgorithm: 'sha256',
        signer: broken,
        certificateChain: pki.issue(pem, '/C=VN/O=Test/CN=Org'),
      }),
    ).rejects.toThrow(/does not verify/);
  });
});
