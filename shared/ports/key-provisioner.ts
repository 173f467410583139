import type { Signer } from './signer.ts';

/**
 * Creates and manages organization signing keys in a key store that never releases them (KMS in
 * AWS). The use cases sign the certification request through `signer`, like any other signature.
 */
export interface KeyProvisioner {
  /** A new asymmetric SIGN_VERIFY key for the agency, marked pending until its certificate is installed. */
  createSigningKey(input: { readonly agency: string }): Promise<{ readonly keyId: string }>;
  /** The key as a `Signer` (its public half through `publicKey()`). */
  signer(keyId: string): Signer;
  /** Marks the key as in service once its certificate is installed; repeating it is harmless. */
  activate(keyId: string): Promise<void>;
}
