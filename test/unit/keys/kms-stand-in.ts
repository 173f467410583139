import {
  constants,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  randomUUID,
} from 'node:crypto';
import {
  CreateKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  NotFoundException,
  SignCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { digestInfo } from '#signature/signers/algorithms.ts';

interface StandInKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly tags: Map<string, string>;
}

export interface KmsStandIn {
  readonly mock: AwsClientStub<KMSClient>;
  /** PKCS#8 PEM of a key created through CreateKey, for a test CA to certify. */
  privateKeyPem(keyId: string): string;
  tagsOf(keyId: string): ReadonlyMap<string, string>;
  /** Key ids in creation order. */
  readonly keyIds: readonly string[];
  restore(): void;
}

/**
 * aws-sdk-client-mock on every KMSClient, answering CreateKey (RSA_3072 only), GetPublicKey,
 * Sign (RSASSA_PKCS1_V1_5_SHA_256, MessageType DIGEST) and TagResource with real node:crypto
 * keys, so what the code builds with "KMS" verifies with openssl and node-forge.
 */
export function startKmsStandIn(): KmsStandIn {
  const keys = new Map<string, StandInKey>();
  const keyIds: string[] = [];
  const mock = mockClient(KMSClient);
  const find = (keyId: string | undefined): StandInKey => {
    const key = keyId === undefined ? undefined : keys.get(keyId);
    if (key === undefined) {
      throw new NotFoundException({ message: `key ${keyId} does not exist`, $metadata: {} });
    }
    return key;
  };

  mock.on(CreateKeyCommand).callsFake((input: CreateKeyCommand['input']) => {
    if (input.KeySpec !== 'RSA_3072' || input.KeyUsage !== 'SIGN_VERIFY') {
      throw new Error(`stand-in creates RSA_3072 SIGN_VERIFY keys only, not ${input.KeySpec}`);
    }
    const keyId = randomUUID();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const tags = new Map((input.Tags ?? []).map((t) => [t.TagKey ?? '', t.TagValue ?? '']));
    keys.set(keyId, { privateKey, publicKey, tags });
    keyIds.push(keyId);
    return Promise.resolve({ KeyMetadata: { KeyId: keyId, Arn: `arn:aws:kms:::key/${keyId}` } });
  });
  mock.on(GetPublicKeyCommand).callsFake((input: GetPublicKeyCommand['input']) => {
    const key = find(input.KeyId);
    return Promise.resolve({
      KeyId: input.KeyId,
      KeySpec: 'RSA_3072',
      KeyUsage: 'SIGN_VERIFY',
      PublicKey: new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' })),
      SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
    });
  });
  mock.on(SignCommand).callsFake((input: SignCommand['input']) => {
    const key = find(input.KeyId);
    if (input.SigningAlgorithm !== 'RSASSA_PKCS1_V1_5_SHA_256' || input.MessageType !== 'DIGEST') {
      throw new Error('stand-in signs RSASSA_PKCS1_V1_5_SHA_256 digests only');
    }
    const signature = privateEncrypt(
      { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING },
      digestInfo('sha256', Buffer.from(input.Message ?? [])),
    );
    return Promise.resolve({ KeyId: input.KeyId, Signature: new Uint8Array(signature) });
  });
  mock.on(TagResourceCommand).callsFake((input: TagResourceCommand['input']) => {
    const key = find(input.KeyId);
    for (const tag of input.Tags ?? []) key.tags.set(tag.TagKey ?? '', tag.TagValue ?? '');
    return Promise.resolve({});
  });

  return {
    mock,
    keyIds,
    privateKeyPem: (keyId) =>
      find(keyId).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    tagsOf: (keyId) => find(keyId).tags,
    restore: () => mock.restore(),
  };
}
