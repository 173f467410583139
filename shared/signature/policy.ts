import type { KeyObject } from 'node:crypto';

/** Digests the caller computes over signed content (a PDF ByteRange, a TSTInfo). */
export type DigestAlgorithmName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Every hash this layer can judge; SHAKE256 is what Ed448 signs with (RFC 8419). */
export type HashAlgorithmName = DigestAlgorithmName | 'shake256';

export type KeyTypeName = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448';

export type EcCurveName = 'P-256' | 'P-384' | 'P-521';

/**
 * What the verifier accepts. Plain data so a policy can come from a JSON file merged over
 * `DEFAULT_POLICY`; algorithm choices follow ETSI TS 119 312 for signatures validated today.
 */
export interface ValidationPolicy {
  /** Hashes accepted for message digests, signatures, certificates and CRLs. */
  readonly acceptedDigests: readonly HashAlgorithmName[];
  readonly minRsaBits: number;
  readonly acceptedCurves: readonly EcCurveName[];
  readonly acceptedKeyTypes: readonly KeyTypeName[];
  /** A signature without a trusted signature timestamp is not TOTAL_PASSED. */
  readonly requireTimestamp: boolean;
  /** A certificate of the path without revocation data is INDETERMINATE instead of unknown. */
  readonly requireRevocationData: boolean;
  /**
   * SHA-1 certificate signatures are accepted on certificates issued (notBefore) before this
   * time, for hierarchies such as the government's G1 that were built on SHA-1.
   */
  readonly allowSha1ForCertificatesBefore?: Date;
}

export const DEFAULT_POLICY: ValidationPolicy = Object.freeze({
  acceptedDigests: Object.freeze(['sha256', 'sha384', 'sha512', 'shake256'] as const),
  minRsaBits: 2048,
  acceptedCurves: Object.freeze(['P-256', 'P-384', 'P-521'] as const),
  acceptedKeyTypes: Object.freeze(['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448'] as const),
  requireTimestamp: false,
  requireRevocationData: false,
});

/** What an algorithm protected, which decides whether the SHA-1 certificate exemption applies. */
export interface AlgorithmUse {
  /** The hash used, or the OID of one this layer does not know. */
  readonly hash: HashAlgorithmName | undefined;
  readonly publicKey: KeyObject;
  readonly purpose: 'signature' | 'certificate' | 'crl';
  /** notBefore of the certificate whose signature is judged (purpose `certificate`). */
  readonly issuedAt?: Date;
}

export type AlgorithmCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE';
      readonly reasons: readonly string[];
    };

const curveNames: Readonly<Record<string, EcCurveName>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Judges a hash and a public key against the policy. EN 319 102-1 §5.2.8 treats an algorithm or
 * key size no longer reliable as CRYPTO_CONSTRAINTS_FAILURE_NO_POE: the signature may have been
 * sound when made, but nothing here proves it was made before the algorithm weakened.
 */
export function checkAlgorithms(policy: ValidationPolicy, use: AlgorithmUse): AlgorithmCheck {
  const reasons: string[] = [];
  const sha1Exempt =
    use.hash === 'sha1' &&
    use.purpose === 'certificate' &&
    policy.allowSha1ForCertificatesBefore !== undefined &&
    use.issuedAt !== undefined &&
    use.issuedAt.getTime() < policy.allowSha1ForCertificatesBefore.getTime();
  if (use.hash !== undefined && !policy.acceptedDigests.includes(use.hash) && !sha1Exempt) {
    reasons.push(`${use.hash} is not an accepted hash for a ${use.purpose}`);
  }
  const keyType = use.publicKey.asymmetricKeyType;
  if (!isKeyType(keyType) || !policy.acceptedKeyTypes.includes(keyType)) {
    reasons.push(`${keyType ?? 'unknown'} keys are not accepted`);
  }
  const details = use.publicKey.asymmetricKeyDetails ?? {};
  if (
    (keyType === 'rsa' || keyType === 'rsa-pss') &&
    (details.modulusLength ?? 0) < policy.minRsaBits
  ) {
    reasons.push(
      `the ${details.modulusLength ?? '?'}-bit RSA key is shorter than ${policy.minRsaBits} bits`,
    );
  }
  if (keyType === 'ec') {
    const curve = curveNames[details.namedCurve ?? ''];
    if (curve === undefined || !policy.acceptedCurves.includes(curve)) {
      reasons.push(`the elliptic curve ${details.namedCurve ?? 'unknown'} is not accepted`);
    }
  }
  return reasons.length === 0
    ? { ok: true }
    : { ok: false, subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE', reasons };
}

function isKeyType(value: string | undefined): value is KeyTypeName {
  return (
    value === 'rsa' ||
    value === 'rsa-pss' ||
    value === 'ec' ||
    value === 'ed25519' ||
    value === 'ed448'
  );
}
