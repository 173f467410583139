import { constants, createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import { hashOf } from '#signature/signers/algorithms.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';

function rsaPem(modulusLength = 2048): string {
  return generateKeyPairSync('rsa', { modulusLength })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

function ecPem(namedCurve: 'P-256' | 'P-384'): string {
  return generateKeyPairSync('ec', { namedCurve })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

const data = Buffer.from('Công văn số 1808/UBND-KGVX', 'utf8');
async function signAndVerify(pem: string, algorithm: SignatureAlgorithm): Promise<boolean> {
  const signer = new FileSigner(pem, algorithm);
  const hash = hashOf(algorithm);
  const signature = await signer.sign(createHash(hash).update(data).digest());
  const key = { key: await signer.publicKey(), format: 'der', type: 'spki' } as const;
  if (algorithm.startsWith('RSASSA_PSS')) {
    return verify(
      hash,
      data,
      {
        ...key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
      signature,
    );
  }
  return verify(hash, data, { ...key, dsaEncoding: 'der' }, signature);
}

describe('FileSigner', () => {
  const rsa = rsaPem();

  it.each([
    'RSASSA_PKCS1_V1_5_SHA_256',
    'RSASSA_PKCS1_V1_5_SHA_384',
    'RSASSA_PKCS1_V1_5_SHA_512',
    'RSASSA_PSS_SHA_256',
    'RSASSA_PSS_SHA_384',
    'RSASSA_PSS_SHA_512',
  ] as const)(
    'signs a digest with %s so that node:crypto verifies it over the data',
    async (alg) => {
      expect(await signAndVerify(rsa, alg)).toBe(true);
    },
  );

  it('pads PSS correctly when the modulus length is one more than a multiple of 8', async () => {
    expect(await signAndVerify(rsaPem(2049), 'RSASSA_PSS_SHA_256')).toBe(true);
  });

  it.each([
    ['P-256', 'ECDSA_SHA_256'],
    ['P-256', 'ECDSA_SHA_384'],
    ['P-384', 'ECDSA_SHA_384'],
    ['P-384', 'ECDSA_SHA_256'],
  ] as const)('signs a %s digest with %s as a prehash (DER signature)', async (curve, alg) => {
    const pem = ecPem(curve);
    for (let i = 0; i < 5; i++) expect(await signAndVerify(pem, alg)).toBe(true);
  });

  it('defaults the algorithm from the key', () => {
    expect(new FileSigner(rsa).algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    expect(new FileSigner(ecPem('P-256')).algorithm).toBe('ECDSA_SHA_256');
    expect(new FileSigner(ecPem('P-384')).algorithm).toBe('ECDSA_SHA_384');
  });

  it('refuses a digest of the wrong length', async () => {
    const signer = new FileSigner(rsa, 'RSASSA_PKCS1_V1_5_SHA_384');
    await expect(signer.sign(createHash('sha256').update(data).digest())).rejects.toThrow(
      SignerError,
    );
  });

  it('refuses an algorithm that does not fit the key', () => {
    expect(() => new FileSigner(rsa, 'ECDSA_SHA_256')).toThrow(SignerError);
    expect(() => new FileSigner(ecPem('P-256'), 'RSASSA_PSS_SHA_256')).toThrow(SignerError);
    expect(() => new FileSigner('not a key')).toThrow(SignerError);
  });
});
