import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { DynamoDbDocumentIndex } from '#adapters/dynamodb-document-index.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import { inboundDocumentId } from '#shared/axis/receive-package.ts';
import { formatDocumentId } from '#shared/edxml/fields.ts';
import { buildStatusMessage } from '#shared/edxml/status-message.ts';
import { AxisStandIn } from '#test/support/axis-stand-in.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { startLocalAws } from '#test/support/local-aws.ts';
import { makeInboundPackage, OUR_AGENCY, SENDER } from '../unit/axis/fakes.ts';
import { makeSignedPdf } from '../unit/signature/signed-pdf.ts';
import { makeSignaturePki, type SignaturePki } from '../unit/signature/test-pki.ts';

const SECRET = 'axis-secret-for-poller';
const SYSTEM_ID = 'edoc-hub-h48';
const HUB = { OrganId: '000.00.00.H48', OrganName: 'UBND tỉnh Quảng Ngãi' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let localAws: Awaited<ReturnType<typeof startLocalAws>>;
let db: Awaited<ReturnType<typeof startDynalite>>;
let axis: AxisStandIn;
let pki: SignaturePki;
let signedPdf: Buffer;
let s3: S3Client;
let repository: DynamoDbStatusRepository;
let handler: typeof import('#functions/axis-poller.ts').handler;

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

beforeAll(async () => {
  pki = makeSignaturePki();
  signedPdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
  [localAws, db, axis] = await Promise.all([
    startLocalAws(),
    startDynalite(),
    AxisStandIn.start({ secret: SECRET, systemId: SYSTEM_ID }),
  ]);
  await createTable(db.client, 'status', statusTable);
  repository = new DynamoDbStatusRepository(db.client, 'status');
  s3 = new S3Client({
    endpoint: localAws.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'documents' }));
  const secretFile = path.join(tmpdir(), `axis-poller-secret-${process.pid}`);
  writeFileSync(secretFile, SECRET);
  const trust = mkdtempSync(path.join(tmpdir(), 'edoc-axis-trust-'));
  mkdirSync(path.join(trust, 'anchors'));
  mkdirSync(path.join(trust, 'intermediates'));
  writeFileSync(path.join(trust, 'anchors', 'root.pem'), pem(pki.root.der));
  writeFileSync(path.join(trust, 'intermediates', 'sub.pem'), pem(pki.intermediate.der));

  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', db.endpoint);
  vi.stubEnv('EDOC_S3_ENDPOINT', localAws.endpoint);
  vi.stubEnv('DOCUMENTS_BUCKET', 'documents');
  vi.stubEnv('TABLE_NAME', 'status');
  vi.stubEnv('AXIS_ENDPOINT', axis.url);
  vi.stubEnv('AXIS_SYSTEM_ID', SYSTEM_ID);
  vi.stubEnv('AXIS_ORGAN_ID', HUB.OrganId);
  vi.stubEnv('AXIS_ORGAN_NAME', HUB.OrganName);
  vi.stubEnv('AXIS_SECRET_FILE', secretFile);
  vi.stubEnv('AXIS_TIMEOUT_MS', '500');
  vi.stubEnv('TRUST_DIR', trust);
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  ({ handler } = await import('#functions/axis-poller.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  pki.cleanup();
  await Promise.all([localAws.stop(), db.stop(), axis.stop()]);
});

beforeEach(() => axis.reset());

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

/** A package of a ministry letter numbered `number`, carrying `pdf`. */
const letter = (number: string, pdf: Buffer) =>
  makeInboundPackage(
    {
      Code: { CodeNumber: number, CodeNotation: 'VPCP-KSTT' },
      DocumentId: formatDocumentId({
        organId: SENDER,
        promulgationDate: '2019/04/09',
        codeNumber: number,
        codeNotation: 'VPCP-KSTT',
      }),
    },
    pdf,
  );

const inbox = () =>
  new DynamoDbDocumentIndex(db.client, 'status', {
    issuerIndex: 'byIssuer',
    recipientIndex: 'byRecipient',
  }).receivedBy(OUR_AGENCY, { limit: 50 });

describe('axis-poller end to end against the axis stand-in', () => {
  it('delivers a verified ministry letter to the inbox and answers 01; refuses malformed and tampered ones with 02', async () => {
    const tampered = Buffer.from(
      signedPdf.toString('latin1').replace('/MediaBox [0 0 595 842]', '/MediaBox [0 0 596 842]'),
      'latin1',
    );
    const malformed = Buffer.from(
      letter('3001', signedPdf).toString('utf8').replaceAll('edXML:Subject>', 'edXML:Subjekt>'),
    );
    axis.queuePackage('GOOD-1', letter('3000', signedPdf));
    axis.queuePackage('BAD-1', malformed);
    axis.queuePackage('TAMPERED-1', letter('3002', tampered));

    const result = await handler(tick, makeLambdaContext('axis-poller'));

    const id = inboundDocumentId('GOOD-1');
    expect(result.received).toEqual([{ docId: 'GOOD-1', documentId: id }]);
    expect(result.refused).toEqual([
      { docId: 'BAD-1', reason: expect.stringContaining('Subjekt') },
      {
        docId: 'TAMPERED-1',
        reason: expect.stringMatching(/invalid signature: 2887-VPCP-KSTT\.pdf/),
      },
    ]);
    expect(axis.requests.every((r) => r.authentic)).toBe(true);
    expect(
      axis.statuses.map((s) => [s.ResponseFor.Code, s.StatusCode, s.From.OrganId, s.to]),
    ).toEqual([
      ['3000/VPCP-KSTT', '01', OUR_AGENCY, SENDER],
      ['3001/VPCP-KSTT', '02', HUB.OrganId, SENDER],
      ['3002/VPCP-KSTT', '02', OUR_AGENCY, SENDER],
    ]);
    expect(axis.statuses[2]?.Description).toMatch(/2887-VPCP-KSTT\.pdf: signature/);
    expect(axis.waitingIds()).toEqual([]);

    expect((await inbox()).items).toEqual([
      expect.objectContaining({ documentId: id, state: '01', channel: 'national-axis' }),
    ]);
    const record = await repository.get(id);
    expect(record).toMatchObject({ issuer: SENDER, status: 'ROUTED', number: '3000' });
    const axisResult = z
      .object({ edoc: z.object({ attachments: z.array(z.object({ key: z.string() })) }) })
      .parse(record?.results['axis']);
    const pdfKey = axisResult.edoc.attachments[0]?.key;
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: pdfKey }));
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? []).equals(signedPdf)).toBe(
      true,
    );
  });

  it('retries after a 503 on the answer and delivers exactly once', async () => {
    axis.queuePackage('RETRY-1', letter('3100', signedPdf));
    axis.failNext('status', { kind: 'http', status: 503 });

    await expect(handler(tick, makeLambdaContext('axis-poller'))).rejects.toThrow(/503/);
    expect(axis.statuses).toEqual([]);
    expect(axis.waitingIds()).toEqual(['RETRY-1']);

    const result = await handler(tick, makeLambdaContext('axis-poller'));

    const id = inboundDocumentId('RETRY-1');
    expect(result.received).toEqual([{ docId: 'RETRY-1', documentId: id }]);
    expect(axis.statuses.map((s) => s.StatusCode)).toEqual(['01']);
    expect(axis.requests.filter((r) => r.route === 'get').map((r) => r.path)).toEqual([
      '/api/edocs/RETRY-1',
    ]);
    expect(await repository.deliveries(id)).toEqual([
      expect.objectContaining({ recipient: OUR_AGENCY, state: '01' }),
    ]);
  });

  it('survives an axis that hangs on the list, and has nothing to do once all is answered', async () => {
    axis.failNext('received', { kind: 'hang' });
    await expect(handler(tick, makeLambdaContext('axis-poller'))).rejects.toThrow(
      /did not complete/,
    );
    const result = await handler(tick, makeLambdaContext('axis-poller'));
    expect(result).toMatchObject({ received: [], refused: [], statuses: [], failed: [] });
  });

  it('moves the delivery of a document we sent when the ministry answers over the axis', async () => {
    await repository.create(
      {
        id: 'sent-1',
        issuer: '000.00.08.H48',
        year: 2019,
        number: '15',
        notation: 'STTTT-VP',
        createdAt: '2019-05-16T01:00:00.000Z',
        attributes: {},
      },
      { at: '2019-05-16T01:00:00.000Z', status: 'AWAITING_UPLOAD', actor: '000.00.08.H48' },
    );
    await repository.recordDeliveries('sent-1', [
      { recipient: SENDER, channel: 'national-axis', state: 'SENT', updatedAt: 'x' },
    ]);
    const answer = (code: '01' | '03') =>
      buildStatusMessage({
        ResponseFor: {
          OrganId: '000.00.08.H48',
          Code: '15/STTTT-VP',
          PromulgationDate: '2019/05/16',
          DocumentId: '000.00.08.H48,2019/05/16,15/STTTT-VP',
        },
        From: { OrganId: SENDER, OrganName: 'Văn phòng Chính phủ' },
        StatusCode: code,
        Timestamp: '2019/05/16 10:00:00',
      });
    axis.queueStatus('ST-1', answer('01'));
    axis.queueStatus('ST-2', answer('03'));

    const result = await handler(tick, makeLambdaContext('axis-poller'));

    expect(result.statuses.map((s) => s.outcome.kind)).toEqual(['applied', 'applied']);
    expect((await repository.deliveries('sent-1'))[0]?.state).toBe('03');
    expect(axis.statuses).toEqual([]);
  });
});
