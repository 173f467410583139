import type { SignatureAlgorithm } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import { contextConstructed, derNull, integer, octetString, oid, sequence } from '../der.ts';

export type HashName = 'sha256' | 'sha384' | 'sha512';

/** Signature padding/scheme family of an algorithm, which decides how a digest becomes a signature. */
export type SignatureScheme = 'pkcs1' | 'pss' | 'ecdsa';

const hashOids: Record<HashName, string> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

export const hashLengths: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** The hash an algorithm signs, i.e. the digest its `sign` expects. */
export function hashOf(algorithm: SignatureAlgorithm): HashName {
  if (algorithm.endsWith('256')) return 'sha256';
  if (algorithm.endsWith('384')) return 'sha384';
  return 'sha512';
}

export function schemeOf(algorithm: SignatureAlgorithm): SignatureScheme {
  if (algorithm.startsWith('RSASSA_PKCS1')) return 'pkcs1';
  if (algorithm.startsWith('RSASSA_PSS')) return 'pss';
  return 'ecdsa';
}

/** Refuses a digest whose length does not match the algorithm's hash, before it reaches a key store. */
export function checkDigest(algorithm: SignatureAlgorithm, digest: Buffer): void {
  const expected = hashLengths[hashOf(algorithm)];
  if (digest.length !== expected) {
    throw new SignerError(
      `${algorithm} signs a ${expected}-byte digest, got ${digest.length} bytes`,
    );
  }
}

/** AlgorithmIdentifier of a SHA-2 hash, parameters absent as RFC 5754 requires. */
export function digestAlgorithmIdentifier(hash: HashName): Buffer {
  return sequence(oid(hashOids[hash]));
}

/** DER DigestInfo (RFC 8017 §9.2), the input of RSASSA-PKCS1-v1_5 for a precomputed digest. */
export function digestInfo(hash: HashName, digest: Buffer): Buffer {
  return sequence(sequence(oid(hashOids[hash]), derNull()), octetString(digest));
}

const pkcs1Oids: Record<HashName, string> = {
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};

const ecdsaOids: Record<HashName, string> = {
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

const rsassaPss = '1.2.840.113549.1.1.10';
const mgf1 = '1.2.840.113549.1.1.8';

/**
 * The signatureAlgorithm AlgorithmIdentifier for CMS and PKCS#10: sha*WithRSAEncryption with NULL
 * parameters (RFC 4055), ecdsa-with-SHA* without (RFC 5758), RSASSA-PSS with explicit parameters
 * (hash, MGF1 with the same hash, salt length = hash length, which is what KMS uses).
 */
export function signatureAlgorithmIdentifier(algorithm: SignatureAlgorithm): Buffer {
  const hash = hashOf(algorithm);
  switch (schemeOf(algorithm)) {
    case 'pkcs1':
      return sequence(oid(pkcs1Oids[hash]), derNull());
    case 'ecdsa':
      return sequence(oid(ecdsaOids[hash]));
    case 'pss':
      return sequence(
        oid(rsassaPss),
        sequence(
          contextConstructed(0, digestAlgorithmIdentifier(hash)),
          contextConstructed(1, sequence(oid(mgf1), digestAlgorithmIdentifier(hash))),
          contextConstructed(2, integer(hashLengths[hash])),
        ),
      );
  }
}

/** Converts a raw `r || s` ECDSA signature (PKCS#11, WebCrypto) to the DER `Ecdsa-Sig-Value`. */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new SignerError(`raw ECDSA signature has odd length ${raw.length}`);
  }
  const half = raw.length / 2;
  return sequence(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
}
