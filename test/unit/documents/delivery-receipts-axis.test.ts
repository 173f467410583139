import { describe, expect, it } from 'vitest';
import type { AxisStatusReport } from '#shared/axis/outbox-message.ts';
import { reportStatusToAxis } from '#shared/axis/report-status-to-axis.ts';
import { reportReceipt } from '#shared/documents/delivery-receipts.ts';
import { AxisRelayError } from '#shared/documents/errors.ts';
import { InMemoryStatusRepository } from '#test/support/in-memory-pipeline.ts';
import { FakeAxis } from '../axis/fakes.ts';

const SENDER = '000.00.00.G22';
const RECIPIENT = '000.00.08.H48';
const responseFor = {
  OrganId: SENDER,
  Code: '2887/VPCP-KSTT',
  PromulgationDate: '2019/04/09',
  DocumentId: `${SENDER},2019/04/09,2887/VPCP-KSTT`,
};
const clock = { now: () => new Date('2019-05-16T02:00:00.000Z') };
const agency = (code: string) => ({ agency: code, role: 'agency' as const });

/** Records what it is given; fails the next `failures` sends first. */
class RecordingOutbox {
  readonly sent: AxisStatusReport[] = [];
  failures = 0;

  async send(report: AxisStatusReport): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('queue unreachable');
    }
    this.sent.push(report);
  }
}

async function makeWorld() {
  const repository = new InMemoryStatusRepository();
  const doc = (id: string) => ({
    id,
    issuer: SENDER,
    year: 2019,
    number: id === 'from-axis' ? '2887' : '12',
    notation: 'VPCP-KSTT',
    createdAt: '2019-05-16T01:30:00.000Z',
    attributes: {},
  });
  const entry = { at: '2019-05-16T01:30:00.000Z', status: 'ROUTED' as const, actor: 'axis-poller' };
  await repository.importDocument(doc('from-axis'), entry, {
    axis: {
      axisDocId: 'A1',
      responseFor,
      edoc: { recipients: [{ organId: RECIPIENT, organName: 'Sở Nội vụ' }] },
    },
  });
  await repository.importDocument(doc('from-province'), entry, {});
  for (const [id, channel] of [
    ['from-axis', 'national-axis'],
    ['from-province', 'province'],
  ] as const) {
    await repository.recordDeliveries(id, [
      { recipient: RECIPIENT, channel, state: '01', updatedAt: '2019-05-16T01:30:00.000Z' },
    ]);
  }
  const axisOutbox = new RecordingOutbox();
  return { repository, axisOutbox, deps: { repository, clock, axisOutbox } };
}

describe('reportReceipt on a document received over the national axis', () => {
  it('queues the status for the axis sender, stamped with the time of the write', async () => {
    const { deps, axisOutbox, repository } = await makeWorld();

    await reportReceipt(deps, agency(RECIPIENT), 'from-axis', { code: '03', reason: 'giao KH' });

    expect(axisOutbox.sent).toEqual([
      {
        kind: 'status',
        documentId: 'from-axis',
        recipient: RECIPIENT,
        code: '03',
        reason: 'giao KH',
        at: '2019-05-16T02:00:00.000Z',
      },
    ]);
    // What the axis sender makes of it: a status answering the sender's document.
    const axis = new FakeAxis();
    const [queued] = axisOutbox.sent;
    if (queued === undefined) throw new Error('nothing queued');
    expect(await reportStatusToAxis({ client: axis, repository }, queued)).toEqual({
      kind: 'reported',
    });
    expect(axis.statuses).toEqual([
      expect.objectContaining({ ResponseFor: responseFor, StatusCode: '03' }),
    ]);
  });

  it('queues nothing for a document that came through the province', async () => {
    const { deps, axisOutbox } = await makeWorld();

    await reportReceipt(deps, agency(RECIPIENT), 'from-province', { code: '03' });

    expect(axisOutbox.sent).toEqual([]);
  });

  it('keeps the status when the queue fails, and hands it over when the report is repeated', async () => {
    const { deps, axisOutbox, repository } = await makeWorld();
    axisOutbox.failures = 1;

    const first = reportReceipt(deps, agency(RECIPIENT), 'from-axis', { code: '03' });

    await expect(first).rejects.toBeInstanceOf(AxisRelayError);
    expect(await repository.deliveries('from-axis')).toEqual([
      expect.objectContaining({ state: '03', updatedAt: '2019-05-16T02:00:00.000Z' }),
    ]);
    const later = { ...deps, clock: { now: () => new Date('2019-05-16T03:00:00.000Z') } };
    const retried = await reportReceipt(later, agency(RECIPIENT), 'from-axis', { code: '03' });
    expect(retried).toMatchObject({ state: '03', updatedAt: '2019-05-16T02:00:00.000Z' });
    expect(axisOutbox.sent).toEqual([
      expect.objectContaining({ code: '03', at: '2019-05-16T02:00:00.000Z' }),
    ]);
  });

  it('records the status and tells nobody when the deployment has no axis', async () => {
    const { repository } = await makeWorld();

    const result = await reportReceipt({ repository, clock }, agency(RECIPIENT), 'from-axis', {
      code: '03',
    });

    expect(result).toMatchObject({ state: '03' });
  });
});
