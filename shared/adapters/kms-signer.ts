import {
  DependencyTimeoutException,
  GetPublicKeyCommand,
  KeyUnavailableException,
  type KMSClient,
  KMSInternalException,
  KMSServiceException,
  SignCommand,
} from '@aws-sdk/client-kms';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import { SignerError, SignerUnavailableError } from '#ports/signer.ts';
import { checkDigest } from '#signature/signers/algorithms.ts';

/**
 * Signer on an asymmetric AWS KMS key (key usage SIGN_VERIFY). Only the digest is sent
 * (`MessageType: 'DIGEST'`), so documents never leave the account and the 4 KB message limit
 * does not apply.
 */
export class KmsSigner implements Signer {
  readonly algorithm: SignatureAlgorithm;
  readonly #client: KMSClient;
  readonly #keyId: string;
  #publicKey: Promise<Buffer> | undefined;

  /**
   * @param keyId key id, ARN or alias ARN; the Lambda role needs kms:Sign and kms:GetPublicKey.
   * @param algorithm one of the key's `SigningAlgorithms`, e.g. RSASSA_PKCS1_V1_5_SHA_256.
   */
  constructor(client: KMSClient, keyId: string, algorithm: SignatureAlgorithm) {
    this.#client = client;
    this.#keyId = keyId;
    this.algorithm = algorithm;
  }

  async sign(digest: Buffer): Promise<Buffer> {
    checkDigest(this.algorithm, digest);
    try {
      const out = await this.#client.send(
        new SignCommand({
          KeyId: this.#keyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: this.algorithm,
        }),
      );
      if (out.Signature === undefined) throw new SignerError('KMS Sign returned no signature');
      return Buffer.from(out.Signature);
    } catch (error) {
      throw mapError('Sign', error);
    }
  }

  /** Fetched once per instance: the key's public half never changes. */
  publicKey(): Promise<Buffer> {
    this.#publicKey ??= this.#fetchPublicKey().catch((error: unknown) => {
      this.#publicKey = undefined;
      throw error;
    });
    return this.#publicKey;
  }

  async #fetchPublicKey(): Promise<Buffer> {
    try {
      const out = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
      if (out.PublicKey === undefined) throw new SignerError('KMS GetPublicKey returned no key');
      if (out.SigningAlgorithms && !out.SigningAlgorithms.includes(this.algorithm)) {
        throw new SignerError(
          `KMS key does not support ${this.algorithm} (supports ${out.SigningAlgorithms.join(', ')})`,
        );
      }
      return Buffer.from(out.PublicKey);
    } catch (error) {
      throw mapError('GetPublicKey', error);
    }
  }
}

const transient = new Set([
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

function mapError(operation: string, error: unknown): SignerError {
  if (error instanceof SignerError) return error;
  if (
    error instanceof KMSInternalException ||
    error instanceof DependencyTimeoutException ||
    error instanceof KeyUnavailableException ||
    (error instanceof KMSServiceException &&
      (transient.has(error.name) || error.$retryable !== undefined))
  ) {
    return new SignerUnavailableError(`KMS ${operation} unavailable: ${error.name}`, {
      cause: error,
    });
  }
  if (error instanceof KMSServiceException) {
    return new SignerError(`KMS ${operation} failed: ${error.name}`, { cause: error });
  }
  return new SignerUnavailableError(`KMS ${operation} did not complete`, { cause: error });
}
