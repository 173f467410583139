import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAxisDeliveries, DynamoDbInboundLedger } from '#adapters/dynamodb-axis-records.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import { LostClaimError } from '#shared/axis/errors.ts';
import { type InboundEdoc, RELEASED_LEASE } from '#shared/axis/ports.ts';
import { InvalidTransitionError } from '#status/document-status.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let repository: DynamoDbStatusRepository;
let deliveries: DynamoDbAxisDeliveries;
let ledger: DynamoDbInboundLedger;

beforeAll(async () => {
  db = await startDynalite();
  await createTable(db.client, 'status', statusTable);
  repository = new DynamoDbStatusRepository(db.client, 'status');
  deliveries = new DynamoDbAxisDeliveries(db.client, 'status');
  ledger = new DynamoDbInboundLedger(db.client, 'status');
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

describe('DynamoDbInboundLedger on dynalite', () => {
  const T0 = '2019-05-16T01:00:00.000Z';
  const T1 = '2019-05-16T01:15:00.000Z';
  const T2 = '2019-05-16T01:20:00.000Z';
  const responseFor = {
    OrganId: '000.00.00.G22',
    Code: '2887/VPCP-KSTT',
    PromulgationDate: '2019/04/09',
    DocumentId: '000.00.00.G22,2019/04/09,2887/VPCP-KSTT',
  };

  it('lets one claimant in per axis id while its lease lives', async () => {
    const first = await ledger.claim('IN-1', 'run-a', { now: T0, leaseUntil: T1 });
    const second = await ledger.claim('IN-1', 'run-b', { now: T0, leaseUntil: T1 });
    expect(first).toMatchObject({ kind: 'claimed', claim: { owner: 'run-a', answered: [] } });
    expect(second).toMatchObject({ kind: 'held', claim: { owner: 'run-a' } });
    await expect(
      ledger.decide('IN-1', 'run-b', { kind: 'unanswerable', reason: 'x' }),
    ).rejects.toBeInstanceOf(LostClaimError);
  });

  it('keeps the decision and answers for the poller that takes over an expired claim', async () => {
    await ledger.claim('IN-2', 'run-a', { now: T0, leaseUntil: T1 });
    const outcome = {
      kind: 'refused' as const,
      reason: 'invalid signature',
      responseFor,
      answers: [
        {
          code: '02' as const,
          from: { OrganId: '000.00.08.H48', OrganName: 'Sở TT&TT' },
          description: 'invalid signature',
        },
      ],
    };
    await ledger.decide('IN-2', 'run-a', outcome);
    await ledger.markAnswered('IN-2', 'run-a', '02#000.00.08.H48');

    const taken = await ledger.claim('IN-2', 'run-b', {
      now: T2,
      leaseUntil: '2019-05-16T02:00:00.000Z',
    });

    expect(taken).toMatchObject({
      kind: 'claimed',
      claim: { owner: 'run-b', receivedAt: T0, outcome, answered: ['02#000.00.08.H48'] },
    });
    await expect(ledger.finish('IN-2', 'run-a', T2)).rejects.toBeInstanceOf(LostClaimError);
    await ledger.finish('IN-2', 'run-b', T2);
    expect(
      await ledger.claim('IN-2', 'run-c', { now: '2020-01-01T00:00:00.000Z', leaseUntil: 'z' }),
    ).toMatchObject({ kind: 'finished', claim: { finishedAt: T2 } });
  });

  it('keeps a delivered decision whole, the received package included', async () => {
    await ledger.claim('IN-4', 'run-a', { now: T0, leaseUntil: T1 });
    const outcome = {
      kind: 'delivered' as const,
      documentId: 'axis-abc',
      edoc: makeInbound('IN-4'),
      responseFor,
      answers: [
        {
          code: '01' as const,
          from: { OrganId: '000.00.08.H48', OrganName: 'Sở TT&TT' },
          description: 'arrived',
        },
      ],
    };
    await ledger.decide('IN-4', 'run-a', outcome);
    const again = await ledger.claim('IN-4', 'run-b', { now: T2, leaseUntil: T2 });
    expect(again.claim.outcome).toEqual(outcome);
  });

  it('hands a released claim to the next poll at once', async () => {
    await ledger.claim('IN-3', 'run-a', { now: T0, leaseUntil: T1 });
    await ledger.release('IN-3', 'run-a');
    const next = await ledger.claim('IN-3', 'run-b', { now: T0, leaseUntil: T1 });
    expect(next).toMatchObject({ kind: 'claimed', claim: { owner: 'run-b' } });
    expect(RELEASED_LEASE < T0).toBe(true);
  });
});

describe('DynamoDbStatusRepository additions for the axis', () => {
  it('imports a received document once, without claiming its number', async () => {
    const doc = {
      id: 'axis-1',
      issuer: '000.00.00.G22',
      year: 2019,
      number: '2887',
      notation: 'VPCP-KSTT',
      createdAt: T(1),
      attributes: { subject: 'x' },
    };
    const entry = { at: T(1), status: 'ROUTED' as const, actor: 'axis-poller' };
    expect(await repository.importDocument(doc, entry, { axis: { axisDocId: 'A' } })).toBe(true);
    expect(await repository.importDocument({ ...doc, attributes: {} }, entry, {})).toBe(false);
    expect(await repository.get('axis-1')).toMatchObject({
      status: 'ROUTED',
      issuer: '000.00.00.G22',
      attributes: { subject: 'x' },
      results: { axis: { axisDocId: 'A' } },
    });
    expect(
      await repository.findByNumber('000.00.00.G22', 2019, '2887', 'VPCP-KSTT'),
    ).toBeUndefined();
  });

  it('finds a document the hub numbered, and nothing for a number it could not have issued', async () => {
    await repository.create(
      {
        id: 'ours-15',
        issuer: '000.00.08.H48',
        year: 2019,
        number: '15',
        notation: 'STTTT-VP',
        createdAt: T(2),
        attributes: {},
      },
      { at: T(2), status: 'AWAITING_UPLOAD', actor: '000.00.08.H48' },
    );
    expect(await repository.findByNumber('000.00.08.H48', 2019, '15', 'STTTT-VP')).toBe('ours-15');
    expect(await repository.findByNumber('000.00.08.H48', 2019, '15a', 'STTTT-VP')).toBeUndefined();
    expect(await repository.findByNumber('000.00.08.H48', 2020, '15', 'STTTT-VP')).toBeUndefined();
  });
});

const T = (minute: number) => `2019-05-16T02:${String(minute).padStart(2, '0')}:00.000Z`;
