import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import { recallDocument, reportReceipt } from '#shared/documents/delivery-receipts.ts';
import {
  AccessDeniedError,
  DeliveryTransitionError,
  DocumentNotFoundError,
} from '#shared/documents/errors.ts';
import type { DeliveryState } from '#status/document-status.ts';
import { InMemoryStatusRepository } from '#test/support/in-memory-pipeline.ts';

const ISSUER = '000.00.08.H48';
const RECIPIENT = '000.00.00.H48';
const clock = { now: () => new Date('2019-06-15T00:00:00Z') };

async function makeRepository(states: Record<string, DeliveryState> = { [RECIPIENT]: 'SENT' }) {
  const repository = new InMemoryStatusRepository();
  await repository.create(
    {
      id: 'doc-1',
      issuer: ISSUER,
      year: 2019,
      number: '1',
      notation: 'UBND-VP',
      createdAt: '2019-06-14T00:00:00.000Z',
      attributes: {},
    },
    { at: '2019-06-14T00:00:00.000Z', status: 'AWAITING_UPLOAD', actor: ISSUER },
  );
  await repository.recordDeliveries(
    'doc-1',
    Object.entries(states).map(
      ([recipient, state]): DeliveryRecord => ({
        recipient,
        channel: 'province',
        state,
        updatedAt: '2019-06-14T00:00:00.000Z',
      }),
    ),
  );
  return repository;
}

const agency = (code: string) => ({ agency: code, role: 'agency' as const });

describe('reportReceipt', () => {
  it('answers a repeated code with the delivery unchanged, writing nothing', async () => {
    const repository = await makeRepository({ [RECIPIENT]: '01' });

    const result = await reportReceipt({ repository, clock }, agency(RECIPIENT), 'doc-1', {
      code: '01',
    });

    expect(result).toMatchObject({ state: '01', updatedAt: '2019-06-14T00:00:00.000Z' });
  });

  it('loses to a report that moved the delivery after it was read', async () => {
    const repository = await makeRepository();
    const racing = {
      get: repository.get.bind(repository),
      deliveries: async (id: string) => {
        const read = await repository.deliveries(id);
        await repository.advanceDelivery(id, RECIPIENT, 'SENT', '02', 'earlier', 'Từ chối');
        return read;
      },
      advanceDelivery: repository.advanceDelivery.bind(repository),
    };

    await expect(
      reportReceipt({ repository: racing, clock }, agency(RECIPIENT), 'doc-1', { code: '01' }),
    ).rejects.toThrow(DeliveryTransitionError);
    expect(await repository.deliveries('doc-1')).toEqual([
      expect.objectContaining({ state: '02', reason: 'Từ chối' }),
    ]);
  });

  it('hides the document from an agency that is neither issuer nor recipient', async () => {
    const repository = await makeRepository();

    await expect(
      reportReceipt({ repository, clock }, agency('000.00.09.H48'), 'doc-1', { code: '01' }),
    ).rejects.toThrow(DocumentNotFoundError);
  });
});

describe('recallDocument', () => {
  it('recalls only the deliveries that allow 13 and lists the rest unchanged', async () => {
    const repository = await makeRepository({
      [RECIPIENT]: '03',
      '000.00.09.H48': '02',
      '000.00.10.H48': '06',
    });

    const result = await recallDocument({ repository, clock }, agency(ISSUER), 'doc-1', undefined);

    expect(result).toEqual({
      documentId: 'doc-1',
      recalled: [RECIPIENT, '000.00.10.H48'],
      unchanged: [{ recipient: '000.00.09.H48', state: '02' }],
    });
    expect((await repository.deliveries('doc-1')).map((d) => d.state)).toEqual(['13', '02', '13']);
  });

  it('is for the issuer only', async () => {
    const repository = await makeRepository({ [RECIPIENT]: '03' });

    await expect(
      recallDocument({ repository, clock }, agency(RECIPIENT), 'doc-1', {}),
    ).rejects.toThrow(AccessDeniedError);
  });
});
