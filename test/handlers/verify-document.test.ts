import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingObjectKey } from '#shared/documents/document-record.ts';
import {
  makeLambdaContext,
  makeS3NotificationRecord,
  makeSqsEvent,
  makeSqsRecord,
} from '#test/support/events.ts';
import { type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { makeSignaturePki, makeTrustDir, type SignaturePki } from '#test/support/signing-pki.ts';
import { makeSignedPdf } from '../unit/signature/signed-pdf.ts';

const ISSUER = '000.00.08.H48';
let aws: HandlerEnv;
let pki: SignaturePki;
let queueUrl: string;
let handler: typeof import('#functions/verify-document.ts').handler;

beforeAll(async () => {
  pki = makeSignaturePki();
  aws = await startHandlerEnv({
    buckets: ['incoming'],
    queues: ['countersign'],
    env: ({ queueUrls }) => ({
      INCOMING_BUCKET: 'incoming',
      COUNTERSIGN_QUEUE_URL: queueUrls['countersign'] ?? '',
      TRUST_DIR: makeTrustDir(pki),
      SIGNER_BINDING: 'none',
      POWERTOOLS_DEV: 'true',
    }),
  });
  queueUrl = aws.queueUrls['countersign'] ?? '';
  ({ handler } = await import('#functions/verify-document.ts'));
});

afterAll(async () => {
  await aws.stop();
  pki.cleanup();
});

async function announceAndUpload(id: string, pdf: Buffer): Promise<string> {
  const key = incomingObjectKey(ISSUER, id);
  await aws.repository.create(
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
  await aws.s3.send(new PutObjectCommand({ Bucket: 'incoming', Key: key, Body: pdf }));
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
    expect((await aws.repository.get('good'))?.status).toBe('VERIFIED');
    const received = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    expect(received.Messages?.map((m) => JSON.parse(m.Body ?? ''))).toEqual([
      { documentId: 'good' },
    ]);
    for (const m of received.Messages ?? []) {
      await aws.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  });

  it('rejects an unsigned upload with its reason, does not fail the batch item and queues nothing', async () => {
    const pdf = Buffer.from(
      '%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
    );
    const key = await announceAndUpload('bad', pdf);
    const result = await handler(
      makeSqsEvent([makeS3NotificationRecord({ key, messageId: 'bad' })]),
      makeLambdaContext(),
    );
    expect(result.batchItemFailures).toEqual([]);
    const record = await aws.repository.get('bad');
    expect(record?.status).toBe('REJECTED');
    expect(JSON.stringify(record?.results.rejection)).toMatch(/SIGNATURE_TOTAL_FAILED/);
    const queued = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    expect(queued.Messages ?? []).toEqual([]);
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
