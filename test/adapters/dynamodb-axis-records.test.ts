import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAxisDeliveries, DynamoDbInboundEdocs } from '#adapters/dynamodb-axis-records.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import type { InboundEdoc } from '#shared/axis/ports.ts';
import { InvalidTransitionError } from '#status/document-status.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let repository: DynamoDbStatusRepository;
let deliveries: DynamoDbAxisDeliveries;
let inbound: DynamoDbInboundEdocs;

beforeAll(async () => {
  db = await startDynalite();
  await createTable(db.client, 'status', statusTable);
  repository = new DynamoDbStatusRepository(db.client, 'status');
  deliveries = new DynamoDbAxisDeliveries(db.client, 'status');
  inbound = new DynamoDbInboundEdocs(db.client, 'status');
});
afterAll(() => db.stop());

const pending = (recipient: string) => ({
  recipient,
  channel: 'national-axis' as const,
  state: 'PENDING' as const,
  updatedAt: '2019-05-16T00:00:00.000Z',
});

function makeInbound(axisDocId: string): InboundEdoc {
  return {
    axisDocId,
    receivedAt: '2019-05-16T01:00:00.000Z',
    packageKey: `axis/inbound/${'a'.repeat(64)}.edxml`,
    sha256: 'a'.repeat(64),
    size: 1234,
    documentId: '000.00.00.G22,2019/04/09,2887/VPCP-KSTT',
    from: '000.00.00.G22',
    recipients: [{ organId: '000.00.08.H48', organName: 'Sở Thông tin và Truyền thông' }],
    subject: 'Gửi, nhận văn bản điện tử',
    codeNumber: '2887',
    codeNotation: 'VPCP-KSTT',
    promulgationDate: '2019/04/09',
    attachments: [],
  };
}

describe('DynamoDbAxisDeliveries on dynalite', () => {
  it('moves a PENDING delivery to SENT once, keeping the axis id', async () => {
    await repository.recordDeliveries('d1', [pending('000.00.00.G22')]);
    await deliveries.markSent('d1', '000.00.00.G22', {
      axisDocId: 'AX-9',
      at: '2019-05-16T02:00:00Z',
    });
    expect(await deliveries.get('d1', '000.00.00.G22')).toMatchObject({
      state: 'SENT',
      updatedAt: '2019-05-16T02:00:00Z',
    });
    expect((await repository.deliveries('d1'))[0]?.state).toBe('SENT');
    await expect(
      deliveries.markSent('d1', '000.00.00.G22', { axisDocId: 'AX-10', at: 'x' }),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('records an axis refusal as 02 with the reason, only from PENDING', async () => {
    await repository.recordDeliveries('d2', [pending('000.00.00.G12')]);
    await deliveries.markFailed('d2', '000.00.00.G12', {
      code: 'INVALID_RECEIVER',
      reason: 'unknown organ',
      at: '2019-05-16T02:00:00Z',
    });
    expect(await deliveries.get('d2', '000.00.00.G12')).toMatchObject({
      state: '02',
      reason: 'unknown organ',
    });
    await expect(
      deliveries.markFailed('d2', '000.00.00.G12', { code: 'X', reason: 'y', at: 'z' }),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('refuses to mark a delivery that does not exist', async () => {
    expect(await deliveries.get('nope', '000.00.00.G22')).toBeUndefined();
    await expect(
      deliveries.markSent('nope', '000.00.00.G22', { axisDocId: 'A', at: 'x' }),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
  });
});

describe('DynamoDbInboundEdocs on dynalite', () => {
  it('records a received package once and keeps the first acknowledgement time', async () => {
    await inbound.record(makeInbound('IN-1'));
    await inbound.record({ ...makeInbound('IN-1'), subject: 'a retry must not overwrite' });
    expect(await inbound.get('IN-1')).toEqual(makeInbound('IN-1'));

    await inbound.markAcknowledged('IN-1', '2019-05-16T03:00:00Z');
    await inbound.markAcknowledged('IN-1', '2019-05-16T04:00:00Z');
    expect((await inbound.get('IN-1'))?.acknowledgedAt).toBe('2019-05-16T03:00:00Z');
  });

  it('does not acknowledge a package it never recorded', async () => {
    await expect(inbound.markAcknowledged('IN-missing', 'x')).rejects.toThrow();
    expect(await inbound.get('IN-missing')).toBeUndefined();
  });
});
