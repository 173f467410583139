import type { SignatureAlgorithm } from './signer.ts';

/** Every signing algorithm the Signer port names, as KMS names them. */
export const SIGNATURE_ALGORITHMS = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
] as const satisfies readonly SignatureAlgorithm[];

/** Compiles only while the list above names every algorithm of the Signer port. */
export const everyAlgorithmListed: [
  Exclude<SignatureAlgorithm, (typeof SIGNATURE_ALGORITHMS)[number]>,
] extends [never]
  ? true
  : never = true;

export const isSignatureAlgorithm = (value: unknown): value is SignatureAlgorithm =>
  SIGNATURE_ALGORITHMS.some((a) => a === value);
