import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAxisOutboxMessage } from '#shared/axis/outbox-message.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { documentsApiEnv, type HandlerEnv, startHandlerEnv } from '#test/support/handler-env.ts';
import { type HttpEventOptions, makeHttpEvent } from '#test/support/http-events.ts';

const SENDER = '000.00.00.G22';
const RECIPIENT = '000.00.08.H48';
const OUTBOX = 'axis-outbox';

let aws: HandlerEnv;
let handler: typeof import('#functions/documents-api.ts').handler;

beforeAll(async () => {
  aws = await startHandlerEnv({
    buckets: ['incoming'],
    queues: [OUTBOX],
    env: ({ queueUrls }) => documentsApiEnv({ AXIS_OUTBOX_QUEUE_URL: queueUrls[OUTBOX] ?? '' }),
  });
  ({ handler } = await import('#functions/documents-api.ts'));
});

afterAll(() => aws.stop());

async function call(options: HttpEventOptions) {
  const response = await handler(makeHttpEvent(options), makeLambdaContext('documents-api'));
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') as unknown };
}

/** A document as the axis poller imports it (with `results.axis`), or one without. */
async function importDocument(id: string, overAxis: boolean) {
  const at = '2019-05-16T01:30:00.000Z';
  await aws.repository.importDocument(
    {
      id,
      issuer: SENDER,
      year: 2019,
      number: id,
      notation: 'VPCP-KSTT',
      createdAt: at,
      attributes: { source: overAxis ? 'national-axis' : 'province' },
    },
    { at, status: 'ROUTED', actor: 'axis-poller' },
    overAxis
      ? {
          axis: {
            axisDocId: `axis-${id}`,
            responseFor: {
              OrganId: SENDER,
              Code: `${id}/VPCP-KSTT`,
              PromulgationDate: '2019/04/09',
              DocumentId: `${SENDER},2019/04/09,${id}/VPCP-KSTT`,
            },
            edoc: { recipients: [{ organId: RECIPIENT, organName: 'Sở Nội vụ' }] },
          },
        }
      : {},
  );
  await aws.repository.recordDeliveries(id, [
    {
      recipient: RECIPIENT,
      channel: overAxis ? 'national-axis' : 'province',
      state: '01',
      updatedAt: at,
    },
  ]);
}

async function drainOutbox() {
  const { Messages = [] } = await aws.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: aws.queueUrls[OUTBOX],
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    }),
  );
  return Messages.map((m) => parseAxisOutboxMessage(m.Body ?? ''));
}

describe('POST /documents/{id}/receipts with the national axis configured', () => {
  it('queues the status of a document received over the axis for the axis sender', async () => {
    await importDocument('2887', true);

    const response = await call({
      method: 'POST',
      path: '/documents/2887/receipts',
      body: { code: '02', reason: 'Không thuộc thẩm quyền' },
    });

    expect(response.status).toBe(200);
    expect(await drainOutbox()).toEqual([
      {
        kind: 'status',
        documentId: '2887',
        recipient: RECIPIENT,
        code: '02',
        reason: 'Không thuộc thẩm quyền',
        at: expect.any(String),
      },
    ]);
  });

  it('queues nothing for a document that did not come over the axis', async () => {
    await importDocument('12', false);

    const response = await call({
      method: 'POST',
      path: '/documents/12/receipts',
      body: { code: '03' },
    });

    expect(response.status).toBe(200);
    expect(await drainOutbox()).toEqual([]);
  });
});
