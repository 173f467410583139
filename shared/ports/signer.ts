import { DomainError } from '#shared/errors.ts';

/** Signing algorithms, named as AWS KMS names them so the KMS adapter passes them through. */
export type SignatureAlgorithm =
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384';

/**
 * The organization's signing key (KMS, an HSM over PKCS#11, or a local file in development).
 * It signs digests, not documents: the CMS builder hashes the signed attributes itself, so the
 * document never leaves the process and every key store sees the same small input.
 */
export interface Signer {
  /** The key's signing algorithm (names as KMS uses them). */
  readonly algorithm: SignatureAlgorithm;
  /** Sign a precomputed digest of the algorithm's hash; ECDSA signatures DER-encoded. */
  sign(digest: Buffer): Promise<Buffer>;
  /** The public key (SPKI DER) — to match against the certificate. */
  publicKey(): Promise<Buffer>;
}

/** The key store refused or failed to sign; retrying the same request will not help. */
export class SignerError extends DomainError {}

/**
 * The key store is throttled or briefly unavailable: the caller should retry later (a queue
 * redelivery or a Step Functions retry), not mark the document as failed.
 */
export class SignerUnavailableError extends SignerError {
  readonly retryable = true;
}
