import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { makeLambdaContext } from '#test/support/events.ts';
import { documentsApiEnv, type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';

const ISSUER = '000.00.08.H48';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

let aws: HandlerEnv;
let handler: typeof import('#functions/documents-api.ts').handler;

beforeAll(async () => {
  aws = await startHandlerEnv({
    buckets: ['incoming'],
    env: () => documentsApiEnv({ MAX_UPLOAD_BYTES: String(1024 * 1024) }),
  });
  ({ handler } = await import('#functions/documents-api.ts'));
});

afterAll(() => aws.stop());

function makeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 301,
    notation: 'STTTT-VP',
    typeCode: 'cong-van',
    subject: 'Báo cáo kết quả thí điểm',
    promulgationDate: '2019-06-14',
    signer: { name: 'Lê Văn Cường', position: 'Giám đốc' },
    urgency: 'normal',
    secrecy: 'none',
    recipients: ['000.00.00.H48'],
    sha256: createHash('sha256').update(PDF).digest('hex'),
    size: PDF.length,
    ...overrides,
  };
}

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
});
const createdSchema = z.object({
  id: z.string(),
  upload: z.object({
    url: z.string(),
    fields: z.record(z.string(), z.string()),
    expiresAt: z.iso.datetime(),
  }),
  warnings: z.array(z.unknown()),
});

async function call(options: HttpEventOptions) {
  const response = await handler(makeHttpEvent(options), makeLambdaContext('documents-api'));
  return {
    status: response.statusCode,
    headers: response.headers,
    body: JSON.parse(response.body ?? '') as unknown,
  };
}

describe('documents API handler on dynalite and fauxqs', () => {
  it('creates a document (201) with a working upload form, then refuses its number again (409)', async () => {
    const first = await call({ body: makeBody() });

    expect(first.status).toBe(201);
    const created = createdSchema.parse(first.body);
    expect(first.headers?.['Location']).toBe(`/documents/${created.id}`);
    expect(created.upload.fields['key']).toBe(`incoming/${ISSUER}/${created.id}.pdf`);
    const record = await aws.repository.get(created.id);
    expect(record).toMatchObject({ issuer: ISSUER, number: '301', status: 'AWAITING_UPLOAD' });

    const form = new FormData();
    for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, value);
    form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'signed.pdf');
    expect((await fetch(created.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    const stored = await aws.s3.send(
      new GetObjectCommand({ Bucket: 'incoming', Key: `incoming/${ISSUER}/${created.id}.pdf` }),
    );
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? [])).toEqual(PDF);

    const second = await call({ body: makeBody({ subject: 'Nộp lại' }) });

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      error: { code: 'DUPLICATE_NUMBER', existingId: created.id },
    });
  });

  it('answers 400 with one detail per problem field and stores nothing', async () => {
    const response = await call({ body: makeBody({ number: 302, sha256: 'abc', size: 0 }) });

    expect(response.status).toBe(400);
    const { error } = errorSchema.parse(response.body);
    expect(error.code).toBe('INVALID_DOCUMENT');
    expect(error.details).toEqual([
      { field: 'sha256', message: 'must be a SHA-256 digest in 64 hexadecimal digits' },
      { field: 'size', message: expect.any(String) },
    ]);
    const retry = await call({ body: makeBody({ number: 302 }) });
    expect(retry.status).toBe(201);
  });

  it('answers 400 for a body that is not JSON, without echoing the parser error', async () => {
    const response = await call({ rawBody: '{"number": 1,' });

    expect(response.status).toBe(400);
    const { error } = errorSchema.parse(response.body);
    expect(error.code).toBe('MALFORMED_BODY');
    expect(JSON.stringify(response.body)).not.toMatch(/Unexpected|position|JSON at/);
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const response = await call({ rawBody: 'number=1', contentType: 'text/plain' });

    expect(response.status).toBe(415);
    expect(errorSchema.parse(response.body).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a document marked mat (422) and stores only the audit record', async () => {
    const response = await call({ body: makeBody({ number: 303, secrecy: 'mat' }) });

    expect(response.status).toBe(422);
    expect(errorSchema.parse(response.body).error.code).toBe('SECRET_DOCUMENT_REFUSED');
    const items = await DynamoDBDocumentClient.from(aws.db.client).send(
      new QueryCommand({
        TableName: 'status',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${ISSUER}` },
      }),
    );
    expect(items.Items).toEqual([
      expect.objectContaining({
        kind: 'secret-refusal',
        issuer: ISSUER,
        secrecy: 'mat',
        declared: expect.objectContaining({ number: 303, notation: 'STTTT-VP' }),
      }),
    ]);
    expect(JSON.stringify(items.Items)).not.toContain('Báo cáo');
    const retry = await call({ body: makeBody({ number: 303 }) });
    expect(retry.status).toBe(201);
  });

  it('answers 403 when the token carries no agency claims', async () => {
    const response = await call({ body: makeBody({ number: 304 }), claims: null });

    expect(response.status).toBe(403);
    expect(errorSchema.parse(response.body).error.code).toBe('FORBIDDEN');
    const unparsed = await call({ rawBody: 'number=1', contentType: 'text/plain', claims: null });
    expect(unparsed.status).toBe(403);
  });

  it('answers 403 to an admin, who does not issue documents, and stores nothing', async () => {
    const response = await call({
      body: makeBody({ number: 305 }),
      claims: { 'custom:agency': ISSUER, 'custom:role': 'admin' },
    });

    expect(response.status).toBe(403);
    expect(errorSchema.parse(response.body).error.code).toBe('FORBIDDEN');
    const retry = await call({ body: makeBody({ number: 305 }) });
    expect(retry.status).toBe(201);
  });

  it('answers 403 to an agency missing from the directory', async () => {
    const response = await call({
      body: makeBody({ number: 306 }),
      claims: { 'custom:agency': '000.00.99.H48', 'custom:role': 'agency' },
    });

    expect(response.status).toBe(403);
    expect(errorSchema.parse(response.body).error).toMatchObject({
      code: 'FORBIDDEN',
      message: '000.00.99.H48 is not in the agency directory',
    });
  });

  it('answers 404 in the same envelope for a route it does not serve', async () => {
    const response = await call({ method: 'DELETE', path: '/documents' });

    expect(response.status).toBe(404);
    expect(errorSchema.parse(response.body).error.code).toBe('NOT_FOUND');
  });

  // Last: it stops the table emulator.
  it('answers 500 without any detail of the failure when the table is unreachable', async () => {
    await aws.db.stop();

    const response = await call({ body: makeBody({ number: 399 }) });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'internal error', details: [] },
    });
  });
});
