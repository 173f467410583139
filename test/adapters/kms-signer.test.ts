import { constants, createHash, generateKeyPairSync, privateEncrypt, verify } from 'node:crypto';
import {
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidStateException,
  KMSServiceException,
  SignCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsSigner } from '#adapters/kms-signer.ts';
import { SignerError, SignerUnavailableError } from '#ports/signer.ts';

const keyId = 'arn:aws:kms:ap-southeast-1:111122223333:key/org-signing';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = publicKey.export({ type: 'spki', format: 'der' });
/** DER prefix of DigestInfo for SHA-256 (RFC 8017 §9.2 note 1). */
const sha256DigestInfoPrefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const kms = mockClient(KMSClient);

/** What KMS does for RSASSA_PKCS1_V1_5_SHA_256 with MessageType DIGEST, done with the real key. */
function fakeKmsSign(input: { Message?: Uint8Array }) {
  const digest = Buffer.from(input.Message ?? []);
  const signature = privateEncrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.concat([sha256DigestInfoPrefix, digest]),
  );
  return Promise.resolve({ KeyId: keyId, Signature: new Uint8Array(signature) });
}

function throttled(): KMSServiceException {
  return new KMSServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
}

describe('KmsSigner', () => {
  beforeEach(() => {
    kms.reset();
    kms.on(SignCommand).callsFake(fakeKmsSign);
    kms.on(GetPublicKeyCommand).resolves({
      KeyId: keyId,
      PublicKey: new Uint8Array(spki),
      SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
    });
  });

  const signer = () =>
    new KmsSigner(new KMSClient({ region: 'ap-southeast-1' }), keyId, 'RSASSA_PKCS1_V1_5_SHA_256');
  const data = Buffer.from('Quyết định số 12/QĐ-UBND');
  const digest = createHash('sha256').update(data).digest();

  it('asks KMS to sign the digest as a DIGEST with the key and algorithm', async () => {
    const signature = await signer().sign(digest);

    const input = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input).toEqual({
      KeyId: keyId,
      Message: digest,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    });
    expect(verify('sha256', data, publicKey, signature)).toBe(true);
  });

  it('returns the SPKI public key from GetPublicKey and fetches it only once', async () => {
    const s = signer();
    const [first, second] = await Promise.all([s.publicKey(), s.publicKey()]);

    expect(first.equals(spki)).toBe(true);
    expect(second.equals(spki)).toBe(true);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GetPublicKeyCommand)[0]?.args[0].input).toEqual({ KeyId: keyId });
  });

  it('refuses a key that does not offer the configured algorithm', async () => {
    const s = new KmsSigner(new KMSClient({}), keyId, 'ECDSA_SHA_256');
    await expect(s.publicKey()).rejects.toThrow(/does not support ECDSA_SHA_256/);
  });

  it('reports throttling as retryable SignerUnavailableError', async () => {
    kms.on(SignCommand).rejects(throttled());

    const error = await signer()
      .sign(digest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('reports a disabled or pending-deletion key as a non-retryable SignerError', async () => {
    kms
      .on(SignCommand)
      .rejects(new KMSInvalidStateException({ $metadata: {}, message: 'key is pending deletion' }));

    const error = await signer()
      .sign(digest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerError);
    expect(error).not.toBeInstanceOf(SignerUnavailableError);
    expect(error).toMatchObject({ cause: expect.any(KMSInvalidStateException) });
  });

  it('refuses a digest of the wrong length without calling KMS', async () => {
    await expect(signer().sign(Buffer.alloc(20))).rejects.toThrow(SignerError);
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });
});
