import { CreateKeyCommand, KMSClient, SignCommand, TagResourceCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsKeyProvisioner } from '#adapters/kms-key-provisioner.ts';
import { buildCsr, toPem } from '#signature/csr.ts';
import { forgeReadCsr, opensslVerifiesCsr } from '#test/unit/keys/csr-checks.ts';
import { type KmsStandIn, startKmsStandIn } from '#test/unit/keys/kms-stand-in.ts';

let kms: KmsStandIn;
const client = new KMSClient({ region: 'ap-southeast-1' });
const provisioner = new KmsKeyProvisioner(client, { stage: 'prod' });

beforeAll(() => {
  kms = startKmsStandIn();
});
afterAll(() => kms.restore());

describe('KmsKeyProvisioner', () => {
  it('creates an RSA_3072 signing key tagged with agency, stage and pending state', async () => {
    const { keyId } = await provisioner.createSigningKey({ agency: '000.00.08.H48' });

    expect(kms.mock.commandCalls(CreateKeyCommand).map((c) => c.args[0].input)).toContainEqual(
      expect.objectContaining({
        KeySpec: 'RSA_3072',
        KeyUsage: 'SIGN_VERIFY',
        Tags: [
          { TagKey: 'edoc-hub:agency', TagValue: '000.00.08.H48' },
          { TagKey: 'edoc-hub:stage', TagValue: 'prod' },
          { TagKey: 'edoc-hub:state', TagValue: 'pending' },
        ],
      }),
    );
    expect(kms.keyIds).toContain(keyId);
  });

  it('signs a CSR through KMS Sign that openssl and node-forge verify', async () => {
    const { keyId } = await provisioner.createSigningKey({ agency: '000.00.08.H48' });

    const pem = toPem(
      await buildCsr({
        subject: 'O=Sở Thông tin và Truyền thông,C=VN',
        signer: provisioner.signer(keyId),
      }),
    );

    expect(kms.mock.commandCalls(SignCommand).map((c) => c.args[0].input)).toContainEqual(
      expect.objectContaining({
        KeyId: keyId,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      }),
    );
    expect(opensslVerifiesCsr(pem)).toBe(true);
    const csr = forgeReadCsr(pem);
    expect(csr.verified).toBe(true);
    expect(csr.organization).toBe('Sở Thông tin và Truyền thông');
  });

  it('activates a key by setting its state tag only', async () => {
    const { keyId } = await provisioner.createSigningKey({ agency: '000.00.02.H48' });

    await provisioner.activate(keyId);

    expect(kms.mock.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toContainEqual(
      expect.objectContaining({
        KeyId: keyId,
        Tags: [{ TagKey: 'edoc-hub:state', TagValue: 'active' }],
      }),
    );
    expect(kms.tagsOf(keyId).get('edoc-hub:state')).toBe('active');
    expect(kms.tagsOf(keyId).get('edoc-hub:agency')).toBe('000.00.02.H48');
  });
});
