import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbInboundEdocs } from '#adapters/dynamodb-axis-records.ts';
import { statusTable } from '#infra/definitions.ts';
import { partsFromHeaders, verifyRequestSignature } from '#shared/axis/protocol.ts';
import { type EdxmlStatus, parseStatusMessage } from '#shared/edxml/status-message.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { startLocalAws } from '#test/support/local-aws.ts';
import { makeInboundPackage } from '../unit/axis/fakes.ts';

const SECRET = 'axis-secret-for-poller';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const good = makeInboundPackage();
const other = makeInboundPackage({
  Code: { CodeNumber: '2888', CodeNotation: 'VPCP-KSTT' },
  DocumentId: '000.00.00.G22,2019/04/09,2888/VPCP-KSTT',
});
const bad = Buffer.from(other.toString('utf8').replaceAll('edXML:Subject>', 'edXML:Subjekt>'));
const waiting = new Map([
  ['GOOD-1', good],
  ['BAD-1', bad],
]);
const statuses: EdxmlStatus[] = [];

let localAws: Awaited<ReturnType<typeof startLocalAws>>;
let db: Awaited<ReturnType<typeof startDynalite>>;
let axis: Server;
let s3: S3Client;
let handler: typeof import('#functions/axis-poller.ts').handler;

function startAxis(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      const sha256 = createHash('sha256').update(body).digest('hex');
      const parts = partsFromHeaders(req.method ?? '', pathname, req.headers, sha256);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (!parts || !verifyRequestSignature(parts, SECRET, String(req.headers['signature']))) {
        json(401, { status: 'FAIL', errorCode: 'BAD_SIGNATURE' });
      } else if (pathname === '/edocs/received') {
        json(200, { status: 'OK', data: [...waiting.keys()].map((docId) => ({ docId })) });
      } else if (pathname === '/status') {
        const status = parseStatusMessage(body);
        statuses.push(status);
        // Answered packages leave the list, as on the axis.
        for (const [id, edoc] of waiting) {
          if (edoc.toString('utf8').includes(status.ResponseFor.DocumentId)) waiting.delete(id);
        }
        json(200, { status: 'OK' });
      } else {
        const edoc = waiting.get(decodeURIComponent(pathname.replace('/edocs/', '')));
        if (edoc === undefined) json(404, { status: 'FAIL', errorCode: 'NOT_FOUND' });
        else {
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end(edoc);
        }
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [localAws, db, axis] = await Promise.all([startLocalAws(), startDynalite(), startAxis()]);
  await createTable(db.client, 'status', statusTable);
  s3 = new S3Client({
    endpoint: localAws.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'documents' }));
  const secretFile = path.join(tmpdir(), `axis-poller-secret-${process.pid}`);
  writeFileSync(secretFile, SECRET);

  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', db.endpoint);
  vi.stubEnv('EDOC_S3_ENDPOINT', localAws.endpoint);
  vi.stubEnv('DOCUMENTS_BUCKET', 'documents');
  vi.stubEnv('TABLE_NAME', 'status');
  vi.stubEnv('AXIS_ENDPOINT', `http://127.0.0.1:${(axis.address() as AddressInfo).port}`);
  vi.stubEnv('AXIS_SYSTEM_ID', 'edoc-hub-h48');
  vi.stubEnv('AXIS_ORGAN_ID', '000.00.00.H48');
  vi.stubEnv('AXIS_ORGAN_NAME', 'UBND tỉnh Quảng Ngãi');
  vi.stubEnv('AXIS_SECRET_FILE', secretFile);
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  ({ handler } = await import('#functions/axis-poller.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  axis.closeAllConnections();
  await Promise.all([localAws.stop(), db.stop(), new Promise((resolve) => axis.close(resolve))]);
});

const tick: ScheduledEvent = {
  version: '0',
  id: 'tick',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: '2019-05-16T01:30:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
};

describe('axis-poller handler', () => {
  it('stores and acknowledges a valid package, refuses an invalid one, on one tick', async () => {
    const result = await handler(tick, makeLambdaContext('axis-poller'));

    expect(result.received).toEqual(['GOOD-1']);
    expect(result.refused.map((r) => r.docId)).toEqual(['BAD-1']);
    expect(statuses.map((s) => s.StatusCode).sort()).toEqual(['01', '02']);

    const record = await new DynamoDbInboundEdocs(db.client, 'status').get('GOOD-1');
    expect(record?.acknowledgedAt).toEqual(expect.any(String));
    expect(await new DynamoDbInboundEdocs(db.client, 'status').get('BAD-1')).toBeUndefined();
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: 'documents', Key: record?.packageKey ?? '' }),
    );
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? []).equals(good)).toBe(true);
  });

  it('has nothing to do on the next tick once everything was answered', async () => {
    const result = await handler(tick, makeLambdaContext('axis-poller'));
    expect(result).toEqual({ received: [], refused: [], unanswerable: [], failed: [] });
  });
});
