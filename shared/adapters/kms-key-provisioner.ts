import { CreateKeyCommand, type KMSClient, TagResourceCommand } from '@aws-sdk/client-kms';
import type { KeyProvisioner } from '#ports/key-provisioner.ts';
import type { Signer } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import { AGENCY_KEY_ALGORITHM } from '#shared/keys/agency-keys.ts';
import { KmsSigner } from './kms-signer.ts';

/** Tags every organization key carries; IAM conditions of the functions are written on them. */
export const KEY_TAGS = {
  agency: 'edoc-hub:agency',
  stage: 'edoc-hub:stage',
  /** `pending` until the certificate is installed, then `active`. */
  state: 'edoc-hub:state',
} as const;

/** The key spec `AGENCY_KEY_ALGORITHM` signs with. */
export const AGENCY_KEY_SPEC = 'RSA_3072';

/**
 * KeyProvisioner on AWS KMS. Keys are RSA_3072 / SIGN_VERIFY, tagged with the agency, the stage
 * and `edoc-hub:state=pending`; the API's role may sign (the CSR) and read the public key only
 * while a key is pending, and may move the tag only to `active`, after which only the
 * countersign function signs with it.
 */
export class KmsKeyProvisioner implements KeyProvisioner {
  readonly #client: KMSClient;
  readonly #stage: string;

  constructor(client: KMSClient, options: { readonly stage: string }) {
    this.#client = client;
    this.#stage = options.stage;
  }

  async createSigningKey(input: { readonly agency: string }): Promise<{ keyId: string }> {
    const out = await this.#client.send(
      new CreateKeyCommand({
        KeySpec: AGENCY_KEY_SPEC,
        KeyUsage: 'SIGN_VERIFY',
        Description: `edoc-hub ${this.#stage}: organization signing key of ${input.agency}`,
        Tags: [
          { TagKey: KEY_TAGS.agency, TagValue: input.agency },
          { TagKey: KEY_TAGS.stage, TagValue: this.#stage },
          { TagKey: KEY_TAGS.state, TagValue: 'pending' },
        ],
      }),
    );
    const keyId = out.KeyMetadata?.KeyId;
    if (keyId === undefined) throw new SignerError('KMS CreateKey returned no key id');
    return { keyId };
  }

  signer(keyId: string): Signer {
    return new KmsSigner(this.#client, keyId, AGENCY_KEY_ALGORITHM);
  }

  async activate(keyId: string): Promise<void> {
    await this.#client.send(
      new TagResourceCommand({
        KeyId: keyId,
        Tags: [{ TagKey: KEY_TAGS.state, TagValue: 'active' }],
      }),
    );
  }
}
