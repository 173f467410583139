import { describe, expect, it } from 'vitest';
import { applyAxisStatus } from '#shared/axis/apply-axis-status.ts';
import { formatDocumentId } from '#shared/edxml/fields.ts';
import { buildStatusMessage, type EdxmlStatusCode } from '#shared/edxml/status-message.ts';
import type { DeliveryState } from '#status/document-status.ts';
import { InMemoryStatusRepository } from '#test/support/in-memory-pipeline.ts';

const OURS = '000.00.08.H48';
const MINISTRY = '000.00.00.G22';
const AT = '2019-05-16T03:00:00.000Z';

async function sentTo(state: DeliveryState) {
  // Its storage guard is the axis model, as the DynamoDB repository's is.
  const repository = new InMemoryStatusRepository();
  await repository.create(
    {
      id: 'doc-1',
      issuer: OURS,
      year: 2019,
      number: '15',
      notation: 'STTTT-VP',
      createdAt: AT,
      attributes: {},
    },
    { at: AT, status: 'ROUTED', actor: 'route' },
  );
  await repository.recordDeliveries('doc-1', [
    { recipient: MINISTRY, channel: 'national-axis', state, updatedAt: AT },
  ]);
  return repository;
}

const statusFrom = (code: EdxmlStatusCode) =>
  buildStatusMessage({
    ResponseFor: {
      OrganId: OURS,
      Code: '15/STTTT-VP',
      PromulgationDate: '2019/05/16',
      DocumentId: formatDocumentId({
        organId: OURS,
        promulgationDate: '2019/05/16',
        codeNumber: '15',
        codeNotation: 'STTTT-VP',
      }),
    },
    From: { OrganId: MINISTRY, OrganName: 'Văn phòng Chính phủ' },
    StatusCode: code,
    Timestamp: '2019/05/16 10:00:00',
  });

describe('applyAxisStatus', () => {
  it('accepts a ministry answering 03 straight after SENT, with no separate 01', async () => {
    const repository = await sentTo('SENT');

    const outcome = await applyAxisStatus({ repository }, statusFrom('03'), AT);

    expect(outcome).toEqual({
      kind: 'applied',
      documentId: 'doc-1',
      recipient: MINISTRY,
      from: 'SENT',
      code: '03',
    });
    expect((await repository.deliveries('doc-1'))[0]?.state).toBe('03');
  });

  it.each([
    ['SENT', '06'],
    ['01', '05'],
    ['03', '06'],
  ] as const)(
    'moves a delivery forward from %s to %s when the peer skips codes',
    async (from, code) => {
      const repository = await sentTo(from);

      const outcome = await applyAxisStatus({ repository }, statusFrom(code), AT);

      expect(outcome).toMatchObject({ kind: 'applied', from, code });
      expect((await repository.deliveries('doc-1'))[0]?.state).toBe(code);
    },
  );

  it.each([
    ['03', '01'],
    ['05', '04'],
    ['03', '02'],
    ['SENT', '15'],
    ['02', '03'],
  ] as const)('leaves a delivery at %s unchanged when a peer reports %s', async (from, code) => {
    const repository = await sentTo(from);

    const outcome = await applyAxisStatus({ repository }, statusFrom(code), AT);

    expect(outcome).toMatchObject({ kind: 'not-allowed', from, code });
    expect((await repository.deliveries('doc-1'))[0]?.state).toBe(from);
  });
});
