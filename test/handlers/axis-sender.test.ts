import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAxisDeliveries } from '#adapters/dynamodb-axis-records.ts';
import { partsFromHeaders, verifyRequestSignature } from '#shared/axis/protocol.ts';
import { type EdxmlStatus, parseStatusMessage } from '#shared/edxml/status-message.ts';
import { makeLambdaContext, makeSqsEvent, makeSqsRecord } from '#test/support/events.ts';
import { type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';

const SECRET = 'axis-secret-for-tests';
const ACCEPTS = '000.00.00.G22';
const REFUSES = '000.00.00.G12';
const DOWN = '000.00.00.G05';

let aws: HandlerEnv;
let axis: Server;
let secretDir: string;
/** Packages the stand-in accepted, by recipient, with their `hash-file`. */
const accepted: { to: string; hashFile: string; sha256: string }[] = [];
/** Status messages the stand-in accepted. */
const statuses: { to: string; status: EdxmlStatus }[] = [];
let deliveries: DynamoDbAxisDeliveries;
let handler: typeof import('#functions/axis-sender.ts').handler;

/** The axis: accepts ACCEPTS, refuses REFUSES for good, is down (503) for DOWN. */
function startAxis(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const sha256 = createHash('sha256').update(body).digest('hex');
      const parts = partsFromHeaders(req.method ?? '', req.url ?? '', req.headers, sha256);
      const signature = String(req.headers['signature']);
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (!parts || !verifyRequestSignature(parts, SECRET, signature)) {
        return reply(401, { status: 'FAIL', errorCode: 'BAD_SIGNATURE' });
      }
      if (parts.to === DOWN) return reply(503, { status: 'FAIL', errorCode: 'MAINTENANCE' });
      if (parts.to === REFUSES) {
        return reply(400, { status: 'FAIL', errorCode: 'INVALID_RECEIVER', errorDesc: 'unknown' });
      }
      if (parts.path === '/api/status') {
        statuses.push({ to: parts.to, status: parseStatusMessage(body) });
        return reply(200, { status: 'OK' });
      }
      accepted.push({ to: parts.to, hashFile: String(req.headers['hash-file']), sha256 });
      reply(200, { status: 'OK', docId: `AX-${accepted.length}` });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  axis = await startAxis();
  secretDir = mkdtempSync(path.join(tmpdir(), 'edoc-axis-sender-'));
  const secretFile = path.join(secretDir, 'axis-secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  aws = await startHandlerEnv({
    buckets: ['documents'],
    env: () => ({
      DOCUMENTS_BUCKET: 'documents',
      AXIS_ENDPOINT: `http://127.0.0.1:${(axis.address() as AddressInfo).port}/api/`,
      AXIS_SYSTEM_ID: 'edoc-hub-h48',
      AXIS_ORGAN_ID: '000.00.00.H48',
      AXIS_SECRET_FILE: secretFile,
      POWERTOOLS_DEV: 'true',
    }),
  });
  deliveries = new DynamoDbAxisDeliveries(aws.db.client, 'status');
  await aws.s3.send(
    new PutObjectCommand({
      Bucket: 'documents',
      Key: 'axis/outbound/doc-1.edxml',
      Body: Buffer.from('<edXML>doc-1</edXML>'),
    }),
  );
  await aws.repository.recordDeliveries(
    'doc-1',
    [ACCEPTS, REFUSES, DOWN].map((recipient) => ({
      recipient,
      channel: 'national-axis' as const,
      state: 'PENDING' as const,
      updatedAt: '2019-05-16T00:00:00.000Z',
    })),
  );
  ({ handler } = await import('#functions/axis-sender.ts'));
});

afterAll(async () => {
  axis.closeAllConnections();
  await Promise.all([aws.stop(), new Promise((resolve) => axis.close(resolve))]);
  rmSync(secretDir, { recursive: true, force: true });
});

const outboxRecord = (recipient: string, messageId: string) =>
  makeSqsRecord(
    JSON.stringify({ documentId: 'doc-1', recipient, edxmlKey: 'axis/outbound/doc-1.edxml' }),
    messageId,
  );

describe('axis-sender handler', () => {
  it('sends, records refusals, and hands back only the records worth retrying', async () => {
    const event = makeSqsEvent([
      outboxRecord(ACCEPTS, 'ok'),
      outboxRecord(REFUSES, 'refused'),
      outboxRecord(DOWN, 'down'),
      makeSqsRecord('{"documentId":"doc-1"}', 'malformed'),
    ]);

    const result = await handler(event, makeLambdaContext('axis-sender'));

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'down',
      'malformed',
    ]);
    const expectedHash = createHash('sha256').update('<edXML>doc-1</edXML>').digest('hex');
    expect(accepted).toEqual([{ to: ACCEPTS, hashFile: expectedHash, sha256: expectedHash }]);
    expect(await deliveries.get('doc-1', ACCEPTS)).toMatchObject({ state: 'SENT' });
    expect(await deliveries.get('doc-1', REFUSES)).toMatchObject({
      state: '02',
      reason: expect.stringContaining('INVALID_RECEIVER'),
    });
    expect(await deliveries.get('doc-1', DOWN)).toMatchObject({ state: 'PENDING' });
  });

  it('does not send again when SQS redelivers a message already sent', async () => {
    const before = accepted.length;
    const result = await handler(
      makeSqsEvent([outboxRecord(ACCEPTS, 'again'), outboxRecord(REFUSES, 'again-refused')]),
      makeLambdaContext('axis-sender'),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(accepted).toHaveLength(before);
  });

  it('tells the sender on the axis what our agency reported on a document received from there', async () => {
    const responseFor = {
      OrganId: ACCEPTS,
      Code: '2887/VPCP-KSTT',
      PromulgationDate: '2019/04/09',
      DocumentId: `${ACCEPTS},2019/04/09,2887/VPCP-KSTT`,
    };
    await aws.repository.importDocument(
      {
        id: 'axis-in-1',
        issuer: ACCEPTS,
        year: 2019,
        number: '2887',
        notation: 'VPCP-KSTT',
        createdAt: '2019-05-16T01:00:00.000Z',
        attributes: {},
      },
      { at: '2019-05-16T01:00:00.000Z', status: 'ROUTED', actor: 'axis-poller' },
      {
        axis: {
          axisDocId: 'A1',
          responseFor,
          edoc: { recipients: [{ organId: '000.00.08.H48', organName: 'Sở TT&TT' }] },
        },
      },
    );
    const report = {
      kind: 'status',
      documentId: 'axis-in-1',
      recipient: '000.00.08.H48',
      code: '03',
      at: '2019-05-16T02:00:00.000Z',
    };

    const result = await handler(
      makeSqsEvent([makeSqsRecord(JSON.stringify(report), 'receipt')]),
      makeLambdaContext('axis-sender'),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(statuses).toEqual([
      {
        to: ACCEPTS,
        status: expect.objectContaining({
          ResponseFor: responseFor,
          StatusCode: '03',
          From: { OrganId: '000.00.08.H48', OrganName: 'Sở TT&TT' },
        }),
      },
    ]);
  });
});
