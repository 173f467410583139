import { createHash, createPublicKey, verify } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { SignCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { openPdf } from '#pdf/document.ts';
import { findSignatures } from '#pdf/signatures.ts';
import {
  agencyKeyRequestSchema,
  agencyListSchema,
  installedCertificateSchema,
} from '#shared/documents/api-schemas.ts';
import { incomingObjectKey } from '#shared/documents/document-record.ts';
import { onlySigner, parseSignedData } from '#signature/cms.ts';
import { makeLambdaContext, makeSqsEvent, makeSqsRecord } from '#test/support/events.ts';
import { documentsApiEnv, type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';
import { derToPem, makeTestPki, type TestPki } from '#test/support/signing-pki.ts';
import { type KmsStandIn, startKmsStandIn } from '#test/unit/keys/kms-stand-in.ts';
import { minimalPdf } from '#test/unit/pdf/pdf-factory.ts';

const ADMIN = { sub: 'admin-1', 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' };
const AGENCY = '000.00.31.H48';
const AGENCY_NAME = 'Sở Khoa học và Công nghệ';

let aws: HandlerEnv;
let kms: KmsStandIn;
let pki: TestPki;
let api: typeof import('#functions/documents-api.ts').handler;
let countersign: typeof import('#functions/countersign-document.ts').handler;
let referenceCache: typeof import('#functions/lib/reference.ts').referenceCache;

beforeAll(async () => {
  pki = makeTestPki();
  const trustDir = path.join(pki.dir, 'trust');
  mkdirSync(path.join(trustDir, 'anchors'), { recursive: true });
  copyFileSync(pki.rootFile, path.join(trustDir, 'anchors', 'root.pem'));
  kms = startKmsStandIn();
  aws = await startHandlerEnv({
    buckets: ['incoming'],
    queues: ['route'],
    env: ({ queueUrls }) =>
      documentsApiEnv({
        KEY_STAGE: 'test',
        TRUST_DIR: trustDir,
        ROUTE_QUEUE_URL: queueUrls['route'] ?? '',
      }),
  });
  ({ handler: api } = await import('#functions/documents-api.ts'));
  ({ handler: countersign } = await import('#functions/countersign-document.ts'));
  ({ referenceCache } = await import('#functions/lib/reference.ts'));
});

afterAll(async () => {
  kms.restore();
  await aws.stop();
  pki.cleanup();
});

async function call(options: HttpEventOptions) {
  const response = await api(
    makeHttpEvent({ claims: ADMIN, ...options }),
    makeLambdaContext('documents-api'),
  );
  return { status: response.statusCode ?? 200, json: JSON.parse(response.body ?? 'null') };
}

const agencyBody = {
  code: AGENCY,
  codeStatus: 'illustrative',
  name: AGENCY_NAME,
  kind: 'provincial-department',
  channel: 'province',
  focalPoint: {
    name: 'Phạm Thị Dung',
    email: 'vanthu.skhcn@quangngai.gov.vn',
    phone: '0255 3822 031',
  },
  enrolment: ['official'],
  signerOrganizations: [AGENCY_NAME],
};

/** A document of the agency that passed verification, its PDF in the incoming bucket. */
async function verifiedDocument(id: string, pdf: Buffer): Promise<void> {
  const objectKey = incomingObjectKey(AGENCY, id);
  const at = new Date().toISOString();
  await aws.repository.create(
    {
      id,
      issuer: AGENCY,
      year: 2019,
      number: '7',
      notation: 'SKHCN-VP',
      createdAt: at,
      attributes: {
        typeCode: 'cong-van',
        subject: 'Về việc thử khóa tổ chức',
        promulgationDate: at.slice(0, 10),
        signer: { name: 'Nguyễn Văn A', position: 'Giám đốc' },
        urgency: 'normal',
        secrecy: 'none',
        recipients: ['000.00.02.H48'],
        declaredSha256: createHash('sha256').update(pdf).digest('hex'),
        declaredSize: pdf.length,
        objectKey,
      },
    },
    { at, status: 'AWAITING_UPLOAD', actor: AGENCY },
  );
  await aws.s3.send(new PutObjectCommand({ Bucket: 'incoming', Key: objectKey, Body: pdf }));
  const step = (from: 'AWAITING_UPLOAD' | 'UPLOADED', to: 'UPLOADED' | 'VERIFIED') =>
    aws.repository.transition(id, from, to, { at, status: to, actor: 'pipeline' }, {});
  await step('AWAITING_UPLOAD', 'UPLOADED');
  await step('UPLOADED', 'VERIFIED');
}

async function objectOf(key: string): Promise<Buffer> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: 'incoming', Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

describe('an agency added through the API, keyed through the API', () => {
  it('countersigns its documents with the installed KMS key', async () => {
    // 1. Added, keyed and certified through the admin routes.
    expect((await call({ method: 'POST', path: '/admin/agencies', body: agencyBody })).status).toBe(
      201,
    );
    const provisioned = await call({ method: 'POST', path: `/admin/agencies/${AGENCY}/key` });
    expect(provisioned.status).toBe(200);
    const { keyId } = agencyKeyRequestSchema.parse(provisioned.json);
    const keyPem = kms.privateKeyPem(keyId);
    const chain = pki
      .issue(keyPem, `/C=VN/O=${AGENCY_NAME}/CN=${AGENCY_NAME}`)
      .map(derToPem)
      .join('');
    const installed = await call({
      method: 'PUT',
      path: `/admin/agencies/${AGENCY}/certificate`,
      body: { chain },
    });
    expect(installed.status).toBe(200);
    const { organizationSigning } = installedCertificateSchema.parse(installed.json);

    // 2. The directory in force names the key: at once in the API, which dropped its cache, and
    //    in a function's fresh reference cache; the chain object is where it says.
    const listed = agencyListSchema.parse((await call({ method: 'GET', path: '/agencies' })).json);
    const snapshot = await (await referenceCache(aws.db.client, 'status')).current();
    const signing = snapshot.directory.find(AGENCY)?.organizationSigning;
    expect(listed.items.find((a) => a.code === AGENCY)?.organizationSigning).toEqual(
      organizationSigning,
    );
    expect(signing).toEqual({
      key: { kind: 'kms', keyId },
      certificateChain: { kind: 'object', key: `certificates/${AGENCY}/${keyId}/chain.pem` },
    });
    expect(snapshot.installedKeys.get(AGENCY)).toBe(keyId);
    const chainKey =
      signing?.certificateChain.kind === 'object' ? signing.certificateChain.key : '';
    expect((await objectOf(chainKey)).toString('latin1')).toBe(chain);

    // 3. The countersign function signs the agency's verified document with that key.
    await verifiedDocument('doc-kms-1', minimalPdf());
    const signsBefore = kms.mock.commandCalls(SignCommand).length;
    const result = await countersign(
      makeSqsEvent([makeSqsRecord(JSON.stringify({ documentId: 'doc-kms-1' }))]),
      makeLambdaContext('countersign-document'),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    const record = await aws.repository.get('doc-kms-1');
    expect(record?.status).toBe('COUNTERSIGNED');
    const signs = kms.mock.commandCalls(SignCommand).slice(signsBefore);
    expect(signs.map((c) => c.args[0].input.KeyId)).toEqual([keyId]);
    const countersigned = z.object({ key: z.string() }).parse(record?.results['countersigned']);
    const pdf = await objectOf(countersigned.key);
    const [field] = findSignatures(openPdf(pdf));
    if (field === undefined) throw new Error('the countersigned PDF holds no signature');
    const signedData = parseSignedData(field.contents);
    const signer = onlySigner(signedData);
    const publicKey = createPublicKey(keyPem);
    // The CMS covers the PDF's byte ranges, and its signature verifies with the KMS key.
    const [a = 0, b = 0, c = 0, d = 0] = field.byteRange;
    const covered = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
    const digest = createHash('sha256').update(covered).digest();
    expect(signer.signedAttrs?.messageDigest?.equals(digest)).toBe(true);
    expect(
      verify('sha256', signer.signedAttrs?.der ?? Buffer.alloc(0), publicKey, signer.signature),
    ).toBe(true);
  });
});
