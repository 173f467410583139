import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import type { DeliveryRecord } from '#ports/status-repository.ts';
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

const AT = '2019-06-14T03:00:00.000Z';
const makeDelivery = (overrides: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  recipient: '000.00.00.H48',
  channel: 'province',
  state: 'SENT',
  updatedAt: AT,
  ...overrides,
});

describe('DynamoDbStatusRepository.advanceDelivery on dynalite', () => {
  it('moves the delivery and records the reason, leaving the others alone', async () => {
    await repo.recordDeliveries('adv-1', [
      makeDelivery(),
      makeDelivery({ recipient: '000.00.09.H48' }),
    ]);

    await repo.advanceDelivery(
      'adv-1',
      '000.00.00.H48',
      'SENT',
      '02',
      '2019-06-15T00:00:00.000Z',
      'Sai thẩm quyền',
    );

    expect(await repo.deliveries('adv-1')).toEqual([
      makeDelivery({
        state: '02',
        updatedAt: '2019-06-15T00:00:00.000Z',
        reason: 'Sai thẩm quyền',
      }),
      makeDelivery({ recipient: '000.00.09.H48' }),
    ]);
  });

  it('lets exactly one of two racing reports from the same state win', async () => {
    await repo.recordDeliveries('adv-2', [makeDelivery()]);

    const results = await Promise.allSettled([
      repo.advanceDelivery('adv-2', '000.00.00.H48', 'SENT', '01', AT),
      repo.advanceDelivery('adv-2', '000.00.00.H48', 'SENT', '02', AT, 'Từ chối'),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(
      InvalidTransitionError,
    );
  });

  it('refuses a step the delivery model forbids and a delivery that does not exist', async () => {
    await repo.recordDeliveries('adv-3', [makeDelivery({ state: '02' })]);

    await expect(repo.advanceDelivery('adv-3', '000.00.00.H48', '02', '03', AT)).rejects.toThrow(
      InvalidTransitionError,
    );
    await expect(repo.advanceDelivery('adv-3', '000.00.99.H48', 'SENT', '01', AT)).rejects.toThrow(
      InvalidTransitionError,
    );
    expect(await repo.deliveries('adv-3')).toEqual([makeDelivery({ state: '02' })]);
  });
});
