import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAgencyKeyRegistry } from '#adapters/dynamodb-agency-key-registry.ts';
import {
  agencyKeyRequestSchema,
  errorEnvelopeSchema,
  installedCertificateSchema,
} from '#shared/documents/api-schemas.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import {
  documentsApiEnv,
  type HandlerEnv,
  startHandlerEnv,
  TABLE,
} from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';
import { derToPem, makeTestPki, type TestPki } from '#test/support/signing-pki.ts';
import { forgeReadCsr, opensslVerifiesCsr } from '#test/unit/keys/csr-checks.ts';
import { type KmsStandIn, startKmsStandIn } from '#test/unit/keys/kms-stand-in.ts';

const ADMIN = { sub: 'admin-1', 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' };
const CLERK = { sub: 'clerk-1', 'custom:agency': '000.00.08.H48', 'custom:role': 'agency' };

let aws: HandlerEnv;
let kms: KmsStandIn;
let pki: TestPki;
let strangerPki: TestPki;
let handler: typeof import('#functions/documents-api.ts').handler;

beforeAll(async () => {
  pki = makeTestPki();
  strangerPki = makeTestPki();
  const trustDir = path.join(pki.dir, 'trust');
  mkdirSync(path.join(trustDir, 'anchors'), { recursive: true });
  copyFileSync(pki.rootFile, path.join(trustDir, 'anchors', 'root.pem'));
  kms = startKmsStandIn();
  aws = await startHandlerEnv({
    buckets: ['incoming'],
    env: () => documentsApiEnv({ KEY_STAGE: 'test', TRUST_DIR: trustDir }),
  });
  ({ handler } = await import('#functions/documents-api.ts'));
});

afterAll(async () => {
  kms.restore();
  await aws.stop();
  pki.cleanup();
  strangerPki.cleanup();
});

async function call(options: HttpEventOptions) {
  const response = await handler(makeHttpEvent(options), makeLambdaContext('documents-api'));
  return { status: response.statusCode ?? 200, json: JSON.parse(response.body ?? 'null') };
}

const provision = (code: string, claims: Record<string, string> = ADMIN) =>
  call({ method: 'POST', path: `/admin/agencies/${code}/key`, claims });
const install = (code: string, chain: string, claims: Record<string, string> = ADMIN) =>
  call({ method: 'PUT', path: `/admin/agencies/${code}/certificate`, body: { chain }, claims });

async function provisioned(code: string) {
  const response = await provision(code);
  expect(response.status).toBe(200);
  const request = agencyKeyRequestSchema.parse(response.json);
  return { request, keyPem: kms.privateKeyPem(request.keyId) };
}

const chainFor = (issuer: TestPki, keyPem: string, organization: string) =>
  issuer.issue(keyPem, `/C=VN/O=${organization}/CN=${organization}`).map(derToPem).join('');

const refusal = (json: unknown) => errorEnvelopeSchema.parse(json).error;

describe('POST /admin/agencies/{code}/key', () => {
  it('creates a key and returns a CSR for the agency, signed by the returned key', async () => {
    const { request } = await provisioned('000.00.08.H48');

    const csr = forgeReadCsr(request.csr);
    expect(csr.verified).toBe(true);
    expect(opensslVerifiesCsr(request.csr)).toBe(true);
    expect(csr.organization).toBe('Sở Thông tin và Truyền thông');
    expect(csr.country).toBe('VN');
    expect(csr.publicKeyPem.replace(/\r/g, '')).toBe(request.publicKey);
    expect(kms.tagsOf(request.keyId).get('edoc-hub:state')).toBe('pending');
    expect(kms.tagsOf(request.keyId).get('edoc-hub:stage')).toBe('test');
  });

  it('returns the pending key again on a retry instead of creating another', async () => {
    const first = await provisioned('000.00.00.H48');
    const created = kms.keyIds.length;

    const second = await provisioned('000.00.00.H48');

    expect(second.request.keyId).toBe(first.request.keyId);
    expect(kms.keyIds.length).toBe(created);
  });

  it('answers 404 for an unknown agency and 403 to an agency account', async () => {
    expect((await provision('000.00.99.H48')).status).toBe(404);
    expect(refusal((await provision('000.00.99.H48')).json).code).toBe('AGENCY_NOT_FOUND');
    expect((await provision('000.00.08.H48', CLERK)).status).toBe(403);
  });
});

describe('PUT /admin/agencies/{code}/certificate', () => {
  it('installs a chain issued by the trusted CA: the agency now signs with the KMS key', async () => {
    const { request, keyPem } = await provisioned('000.00.02.H48');
    const chain = chainFor(pki, keyPem, 'Sở Nội vụ');

    const response = await install('000.00.02.H48', chain);

    expect(response.status).toBe(200);
    const result = installedCertificateSchema.parse(response.json);
    expect(result.organizationSigning.key).toEqual({ kind: 'kms', keyId: request.keyId });
    const registry = new DynamoDbAgencyKeyRegistry(aws.db.client, TABLE);
    const record = await registry.get('000.00.02.H48');
    expect(record?.pending).toBeUndefined();
    expect(record?.installed).toMatchObject({
      keyId: request.keyId,
      chainKey: result.organizationSigning.certificateChain.key,
    });
    const stored = await aws.s3.send(
      new GetObjectCommand({
        Bucket: 'incoming',
        Key: result.organizationSigning.certificateChain.key,
      }),
    );
    const storedPem = (await stored.Body?.transformToString('latin1')) ?? '';
    expect(parsePemBundle(storedPem)).toEqual(parsePemBundle(chain));
    expect(kms.tagsOf(request.keyId).get('edoc-hub:state')).toBe('active');
  });

  it('refuses a chain for another key with 400 and the reason', async () => {
    await provisioned('000.00.03.H48');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    const response = await install('000.00.03.H48', chainFor(pki, otherKey, 'Sở Tài chính'));

    expect(response.status).toBe(400);
    const error = refusal(response.json);
    expect(error.code).toBe('CERTIFICATE_REFUSED');
    expect(error.details).toContainEqual({
      field: 'chain',
      message: "the certificate's public key is not the key provisioned for the agency",
    });
  });

  it('refuses a chain that does not reach the trust anchors with 400', async () => {
    const { keyPem } = await provisioned('000.00.04.H48');

    const response = await install(
      '000.00.04.H48',
      chainFor(strangerPki, keyPem, 'Sở Kế hoạch và Đầu tư'),
    );

    expect(response.status).toBe(400);
    const messages = refusal(response.json).details.map((d) => d.message);
    expect(messages).toEqual([expect.stringMatching(/NO_CERTIFICATE_CHAIN_FOUND/)]);
  });

  it('answers 409 when no key was provisioned for the agency', async () => {
    const { keyPem } = await provisioned('000.00.08.H48');
    const chain = chainFor(pki, keyPem, 'Ủy ban nhân dân tỉnh Quảng Ngãi');

    const response = await install('000.00.01.H48', chain);

    expect(response.status).toBe(409);
    expect(refusal(response.json).code).toBe('NO_PENDING_KEY');
  });

  it('answers 400 to a body without a chain and 403 to an agency account', async () => {
    const missing = await call({
      method: 'PUT',
      path: '/admin/agencies/000.00.08.H48/certificate',
      body: {},
      claims: ADMIN,
    });

    expect(missing.status).toBe(400);
    expect(refusal(missing.json).code).toBe('INVALID_REQUEST');
    expect((await install('000.00.08.H48', 'x', CLERK)).status).toBe(403);
  });
});
