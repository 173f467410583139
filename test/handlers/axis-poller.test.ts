import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DynamoDbDocumentIndex } from '#adapters/dynamodb-document-index.ts';
import { inboundDocumentId } from '#shared/axis/receive-package.ts';
import { formatDocumentId } from '#shared/edxml/fields.ts';
import { buildStatusMessage } from '#shared/edxml/status-message.ts';
import { AxisStandIn } from '#test/support/axis-stand-in.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { makeSignaturePki, makeTrustDir, type SignaturePki } from '#test/support/signing-pki.ts';
import { makeInboundPackage, OUR_AGENCY, SENDER } from '../unit/axis/fakes.ts';
import { makeSignedPdf } from '../unit/signature/signed-pdf.ts';

const SECRET = 'axis-secret-for-poller';
const SYSTEM_ID = 'edoc-hub-h48';
const HUB = { OrganId: '000.00.00.H48', OrganName: 'UBND tỉnh Quảng Ngãi' };

let aws: HandlerEnv;
let axis: AxisStandIn;
let pki: SignaturePki;
let signedPdf: Buffer;
let handler: typeof import('#functions/axis-poller.ts').handler;

beforeAll(async () => {
  pki = makeSignaturePki();
  signedPdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
  const secretFile = path.join(pki.dir, 'axis-secret');
  writeFileSync(secretFile, SECRET);
  axis = await AxisStandIn.start({ secret: SECRET, systemId: SYSTEM_ID });
  aws = await startHandlerEnv({
    buckets: ['documents'],
    env: () => ({
      DOCUMENTS_BUCKET: 'documents',
      AXIS_ENDPOINT: axis.url,
      AXIS_SYSTEM_ID: SYSTEM_ID,
      AXIS_ORGAN_ID: HUB.OrganId,
      AXIS_ORGAN_NAME: HUB.OrganName,
      AXIS_SECRET_FILE: secretFile,
      AXIS_TIMEOUT_MS: '500',
      TRUST_DIR: makeTrustDir(pki),
      POWERTOOLS_DEV: 'true',
    }),
  });
  ({ handler } = await import('#functions/axis-poller.ts'));
});

afterAll(async () => {
  await Promise.all([aws.stop(), axis.stop()]);
  pki.cleanup();
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
  new DynamoDbDocumentIndex(aws.db.client, 'status', {
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
    const record = await aws.repository.get(id);
    expect(record).toMatchObject({ issuer: SENDER, status: 'ROUTED', number: '3000' });
    const axisResult = z
      .object({ edoc: z.object({ attachments: z.array(z.object({ key: z.string() })) }) })
      .parse(record?.results['axis']);
    const pdfKey = axisResult.edoc.attachments[0]?.key;
    const stored = await aws.s3.send(new GetObjectCommand({ Bucket: 'documents', Key: pdfKey }));
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
    expect(await aws.repository.deliveries(id)).toEqual([
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
    await aws.repository.create(
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
    await aws.repository.recordDeliveries('sent-1', [
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
    expect((await aws.repository.deliveries('sent-1'))[0]?.state).toBe('03');
    expect(axis.statuses).toEqual([]);
  });
});
