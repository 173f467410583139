import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import type { HistoryEntry, NewDocument } from '#ports/status-repository.ts';
import { InvalidTransitionError } from '#status/document-status.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let repo: DynamoDbStatusRepository;

beforeAll(async () => {
  db = await startDynalite();
  await createTable(db.client, 'status', statusTable);
  repo = new DynamoDbStatusRepository(db.client, 'status');
});
afterAll(() => db.stop());

let counter = 0;
function makeDocument(overrides: Partial<NewDocument> = {}): NewDocument {
  counter += 1;
  return {
    id: `doc-${counter}`,
    issuer: 'H48.01',
    year: 2019,
    number: String(1800 + counter),
    notation: 'UBND-KGVX',
    createdAt: '2019-04-16T08:00:00+07:00',
    attributes: { subject: 'Triển khai gửi nhận văn bản điện tử' },
    ...overrides,
  };
}
const entry = (status: HistoryEntry['status'], at = '2019-04-16T08:00:00+07:00'): HistoryEntry => ({
  at,
  status,
  actor: 'test',
});

describe('DynamoDbStatusRepository on dynalite', () => {
  it('creates a document awaiting upload with its first history entry', async () => {
    const doc = makeDocument();
    expect(await repo.create(doc, entry('AWAITING_UPLOAD'))).toEqual({ created: true });
    const stored = await repo.get(doc.id);
    expect(stored?.status).toBe('AWAITING_UPLOAD');
    expect(stored?.history).toEqual([entry('AWAITING_UPLOAD')]);
    expect(stored?.attributes).toEqual(doc.attributes);
  });

  it('answers a duplicate number and notation of the same issuer and year with the existing id', async () => {
    const first = makeDocument({ number: '1808' });
    await repo.create(first, entry('AWAITING_UPLOAD'));
    const again = { ...first, id: 'another-id' };
    expect(await repo.create(again, entry('AWAITING_UPLOAD'))).toEqual({
      created: false,
      existingId: first.id,
    });
    const otherYear = { ...again, id: 'next-year', year: 2020 };
    expect(await repo.create(otherYear, entry('AWAITING_UPLOAD'))).toEqual({ created: true });
  });

  it('takes over a number claimed by a create that crashed before writing the document', async () => {
    const crashed = makeDocument({ number: '77' });
    await repo.create(crashed, entry('AWAITING_UPLOAD'));
    await db.client.send(
      new DeleteItemCommand({
        TableName: 'status',
        Key: { pk: { S: `DOC#${crashed.id}` }, sk: { S: 'DOC' } },
      }),
    );
    const retry = { ...crashed, id: 'retry-id' };
    expect(await repo.create(retry, entry('AWAITING_UPLOAD'))).toEqual({ created: true });
    expect((await repo.get('retry-id'))?.number).toBe('77');
  });

  it('moves through the states appending history in the same write', async () => {
    const doc = makeDocument();
    await repo.create(doc, entry('AWAITING_UPLOAD'));
    await repo.transition(doc.id, 'AWAITING_UPLOAD', 'UPLOADED', entry('UPLOADED', 't1'), {
      size: 1234,
    });
    await repo.transition(doc.id, 'UPLOADED', 'VERIFIED', entry('VERIFIED', 't2'));
    const stored = await repo.get(doc.id);
    expect(stored?.status).toBe('VERIFIED');
    expect(stored?.history.map((h) => h.status)).toEqual([
      'AWAITING_UPLOAD',
      'UPLOADED',
      'VERIFIED',
    ]);
    expect(stored?.updatedAt).toBe('t2');
    expect(stored?.results).toEqual({ size: 1234 });
  });

  it('refuses to apply the same step twice, as a redelivered message would try', async () => {
    const doc = makeDocument();
    await repo.create(doc, entry('AWAITING_UPLOAD'));
    await repo.transition(doc.id, 'AWAITING_UPLOAD', 'UPLOADED', entry('UPLOADED'));
    await expect(
      repo.transition(doc.id, 'AWAITING_UPLOAD', 'UPLOADED', entry('UPLOADED')),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    expect((await repo.get(doc.id))?.history).toHaveLength(2);
  });

  it('refuses transitions the model forbids, and unknown documents', async () => {
    await expect(
      repo.transition('nope', 'UPLOADED', 'VERIFIED', entry('VERIFIED')),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(
      repo.transition('nope', 'ROUTED', 'UPLOADED', entry('UPLOADED')),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('records one delivery per recipient once: a retry neither duplicates nor resets them', async () => {
    const doc = makeDocument();
    await repo.create(doc, entry('AWAITING_UPLOAD'));
    const at = '2019-05-16T08:00:00+07:00';
    await repo.recordDeliveries(doc.id, [
      { recipient: '000.00.02.H48', channel: 'province', state: 'SENT', updatedAt: at },
      {
        recipient: '000.00.21.H48',
        channel: 'province',
        state: 'UNDELIVERABLE',
        updatedAt: at,
        reason: 'not enrolled',
      },
    ]);
    await repo.recordDeliveries(doc.id, [
      { recipient: '000.00.02.H48', channel: 'province', state: 'PENDING', updatedAt: 'later' },
    ]);
    const deliveries = await repo.deliveries(doc.id);
    expect(deliveries.map((d) => [d.recipient, d.state])).toEqual([
      ['000.00.02.H48', 'SENT'],
      ['000.00.21.H48', 'UNDELIVERABLE'],
    ]);
    expect(deliveries[1]?.reason).toBe('not enrolled');
    expect((await repo.get(doc.id))?.status).toBe('AWAITING_UPLOAD');
  });
  it('lets a ministry skip codes it does not send (SENT to 03), never go back (03 to 01)', async () => {
    const doc = makeDocument();
    await repo.create(doc, entry('AWAITING_UPLOAD'));
    const at = '2019-05-16T08:00:00+07:00';
    await repo.recordDeliveries(doc.id, [
      { recipient: '000.00.00.G22', channel: 'national-axis', state: 'SENT', updatedAt: at },
    ]);
    await repo.advanceDelivery(doc.id, '000.00.00.G22', 'SENT', '03', at);
    await expect(
      repo.advanceDelivery(doc.id, '000.00.00.G22', '03', '01', at),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    expect((await repo.deliveries(doc.id)).map((d) => d.state)).toEqual(['03']);
  });
});
