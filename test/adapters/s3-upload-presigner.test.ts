import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3UploadPresigner } from '#adapters/s3-upload-presigner.ts';
import { startLocalAws } from '#test/support/local-aws.ts';

const KEY = 'incoming/000.00.08.H48/doc-1.pdf';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const SHA_HEX = createHash('sha256').update(PDF).digest('hex');

let localAws: Awaited<ReturnType<typeof startLocalAws>>;
let s3: S3Client;

beforeAll(async () => {
  localAws = await startLocalAws();
  s3 = new S3Client({
    endpoint: localAws.endpoint,
    forcePathStyle: true,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'session' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'incoming' }));
});

afterAll(() => localAws.stop());

const presign = (overrides: { expiresSeconds?: number } = {}) =>
  new S3UploadPresigner(s3, 'incoming').presignPost({
    key: KEY,
    contentType: 'application/pdf',
    maxBytes: PDF.length,
    sha256Hex: SHA_HEX,
    expiresSeconds: 900,
    ...overrides,
  });

/** The policy S3 enforces: the signed base64 JSON document in the `Policy` field. */
function policyOf(fields: Readonly<Record<string, string>>) {
  const encoded = fields['Policy'];
  if (encoded === undefined) throw new Error('no Policy field');
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}

describe('S3UploadPresigner', () => {
  it('signs a policy that pins key, size range, type and the declared SHA-256', async () => {
    const started = Date.now();
    const { fields } = await presign();

    const policy = policyOf(fields);
    const checksum = Buffer.from(SHA_HEX, 'hex').toString('base64');
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', KEY],
        ['content-length-range', 1, PDF.length],
        ['eq', '$Content-Type', 'application/pdf'],
        ['eq', '$x-amz-checksum-algorithm', 'SHA256'],
        ['eq', '$x-amz-checksum-sha256', checksum],
        { bucket: 'incoming' },
        { 'X-Amz-Security-Token': 'session' },
      ]),
    );
    const expiresIn = Date.parse(policy.expiration) - started;
    expect(expiresIn).toBeGreaterThan(895_000);
    expect(expiresIn).toBeLessThanOrEqual(901_000);
  });

  it('puts the checksum and type in the form fields, with the checksum in base64', async () => {
    const { fields } = await presign();

    expect(fields).toMatchObject({
      key: KEY,
      'Content-Type': 'application/pdf',
      'x-amz-checksum-algorithm': 'SHA256',
      'x-amz-checksum-sha256': Buffer.from(SHA_HEX, 'hex').toString('base64'),
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': expect.stringMatching(/^local\/\d{8}\/ap-southeast-1\/s3\/aws4_request$/),
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('produces a form that uploads the PDF to the bucket in a multipart POST', async () => {
    const { url, fields } = await presign();
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'signed.pdf');

    const response = await fetch(url, { method: 'POST', body: form });

    expect(response.status).toBe(204);
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'incoming', Key: KEY }));
    expect(stored.ContentType).toBe('application/pdf');
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? [])).toEqual(PDF);
  });
});
