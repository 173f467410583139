import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import { incomingObjectKey } from '#shared/documents/document-record.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';
import {
  makeLambdaContext,
  makeS3NotificationRecord,
  makeSqsEvent,
  makeSqsRecord,
} from '#test/support/events.ts';
import { startLocalAws } from '#test/support/local-aws.ts';
import { makeSignedPdf } from '../unit/signature/signed-pdf.ts';
import { makeSignaturePki, type SignaturePki } from '../unit/signature/test-pki.ts';

const ISSUER = '000.00.08.H48';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let localAws: Awaited<ReturnType<typeof startLocalAws>>;
let db: Awaited<ReturnType<typeof startDynalite>>;
let pki: SignaturePki;
let s3: S3Client;
let sqs: SQSClient;
let queueUrl: string;
let repository: DynamoDbStatusRepository;
let handler: typeof import('#functions/verify-document.ts').handler;

beforeAll(async () => {
  pki = makeSignaturePki();
  [localAws, db] = await Promise.all([startLocalAws(), startDynalite()]);
  await createTable(db.client, 'status', statusTable);
  repository = new DynamoDbStatusRepository(db.client, 'status');
  s3 = new S3Client({
    endpoint: localAws.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
  });
  sqs = new SQSClient({ endpoint: localAws.endpoint, region: 'us-east-1', credentials });
  await s3.send(new CreateBucketCommand({ Bucket: 'incoming' }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'countersign' }))).QueueUrl ?? '';

  const trust = mkdtempSync(path.join(tmpdir(), 'edoc-trust-'));
  mkdirSync(path.join(trust, 'anchors'));
  writeFileSync(
    path.join(trust, 'anchors', 'root.pem'),
    pki.root.der
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .replace(/^/, '-----BEGIN CERTIFICATE-----\n')
      .concat('\n-----END CERTIFICATE-----\n'),
  );
  mkdirSync(path.join(trust, 'intermediates'));
  writeFileSync(
    path.join(trust, 'intermediates', 'sub.pem'),
    `-----BEGIN CERTIFICATE-----\n${pki.intermediate.der.toString('base64')}\n-----END CERTIFICATE-----\n`,
  );

  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', db.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', localAws.endpoint);
  vi.stubEnv('EDOC_S3_ENDPOINT', localAws.endpoint);
  vi.stubEnv('INCOMING_BUCKET', 'incoming');
  vi.stubEnv('TABLE_NAME', 'status');
  vi.stubEnv('COUNTERSIGN_QUEUE_URL', queueUrl);
  vi.stubEnv('TRUST_DIR', trust);
  vi.stubEnv('SIGNER_BINDING', 'none');
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  ({ handler } = await import('#functions/verify-document.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  pki.cleanup();
  await Promise.all([localAws.stop(), db.stop()]);
});

async function announceAndUpload(id: string, pdf: Buffer): Promise<string> {
  const key = incomingObjectKey(ISSUER, id);
  await repository.create(
    {
      id,
      issuer: ISSUER,
      year: 2019,
      number: String(100 + id.length),
      notation: `STTTT-${id.toUpperCase()}`,
      createdAt: new Date().toISOString(),
      attributes: {
        typeCode: 'cong-van',
        subject: 'Thử nghiệm',
        promulgationDate: '2019-05-16',
        signer: { name: 'Nguyễn Văn A', position: 'Giám đốc' },
        urgency: 'normal',
        secrecy: 'none',
        recipients: ['000.00.02.H48'],
        declaredSha256: createHash('sha256').update(pdf).digest('hex'),
        declaredSize: pdf.length,
        objectKey: key,
      },
    },
    { at: new Date().toISOString(), status: 'AWAITING_UPLOAD', actor: ISSUER },
  );
  await s3.send(new PutObjectCommand({ Bucket: 'incoming', Key: key, Body: pdf }));
  return key;
}

describe('verify-document handler on dynalite and fauxqs', () => {
  it('verifies a signed upload, records VERIFIED and hands it to the countersign queue', async () => {
    const pdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
    const key = await announceAndUpload('good', pdf);
    const result = await handler(
      makeSqsEvent([makeS3NotificationRecord({ key, messageId: 'good' })]),
      makeLambdaContext(),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect((await repository.get('good'))?.status).toBe('VERIFIED');
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    expect(received.Messages?.map((m) => JSON.parse(m.Body ?? ''))).toEqual([
      { documentId: 'good' },
    ]);
    for (const m of received.Messages ?? []) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  });

  it('rejects an unsigned upload with its reason and does not fail the batch item', async () => {
    const pdf = Buffer.from(
      '%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
    );
    const key = await announceAndUpload('bad', pdf);
    const result = await handler(
      makeSqsEvent([makeS3NotificationRecord({ key, messageId: 'bad' })]),
      makeLambdaContext(),
    );
    expect(result.batchItemFailures).toEqual([]);
    const record = await repository.get('bad');
    expect(record?.status).toBe('REJECTED');
    expect(JSON.stringify(record?.results.rejection)).toMatch(/SIGNATURE_TOTAL_FAILED/);
  });

  it('fails only the records it could not process: unknown uploads and garbage go back to SQS', async () => {
    const ghost = makeS3NotificationRecord({
      key: `incoming/${ISSUER}/ghost.pdf`,
      messageId: 'ghost',
    });
    const garbage = makeSqsRecord('not json', 'garbage');
    const testEvent = makeSqsRecord(
      JSON.stringify({ Event: 's3:TestEvent', Bucket: 'incoming' }),
      'test',
    );
    const result = await handler(makeSqsEvent([ghost, garbage, testEvent]), makeLambdaContext());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'garbage',
      'ghost',
    ]);
  });
});
