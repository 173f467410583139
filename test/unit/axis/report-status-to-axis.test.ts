import { describe, expect, it } from 'vitest';
import { AxisRejectedError, AxisUnavailableError } from '#shared/axis/errors.ts';
import type { AxisStatusReport } from '#shared/axis/outbox-message.ts';
import { parseAxisOutboxMessage } from '#shared/axis/outbox-message.ts';
import { reportStatusToAxis } from '#shared/axis/report-status-to-axis.ts';
import { InMemoryStatusRepository } from '#test/support/in-memory-pipeline.ts';
import { FakeAxis, OUR_AGENCY, SENDER } from './fakes.ts';

const responseFor = {
  OrganId: SENDER,
  Code: '2887/VPCP-KSTT',
  PromulgationDate: '2019/04/09',
  DocumentId: `${SENDER},2019/04/09,2887/VPCP-KSTT`,
};

async function makeWorld() {
  const repository = new InMemoryStatusRepository();
  const doc = (id: string) => ({
    id,
    issuer: SENDER,
    year: 2019,
    number: '2887',
    notation: 'VPCP-KSTT',
    createdAt: '2019-05-16T01:30:00.000Z',
    attributes: {},
  });
  const entry = { at: '2019-05-16T01:30:00.000Z', status: 'ROUTED' as const, actor: 'axis-poller' };
  await repository.importDocument(doc('from-axis'), entry, {
    axis: {
      axisDocId: 'A1',
      responseFor,
      edoc: { recipients: [{ organId: OUR_AGENCY, organName: 'Sở Thông tin và Truyền thông' }] },
    },
  });
  await repository.importDocument(doc('from-province'), entry, {});
  return { client: new FakeAxis(), repository };
}

const report = (overrides: Partial<AxisStatusReport> = {}): AxisStatusReport => ({
  kind: 'status',
  documentId: 'from-axis',
  recipient: OUR_AGENCY,
  code: '03',
  at: '2019-05-16T02:00:00.000Z',
  ...overrides,
});

describe('reportStatusToAxis', () => {
  it('sends the sender an edXML status from the reporting agency, stamped when it reported', async () => {
    const deps = await makeWorld();
    const outcome = await reportStatusToAxis(deps, report({ code: '05', reason: 'giao Phòng KH' }));
    expect(outcome).toEqual({ kind: 'reported' });
    expect(deps.client.statuses).toEqual([
      {
        ResponseFor: responseFor,
        From: { OrganId: OUR_AGENCY, OrganName: 'Sở Thông tin và Truyền thông' },
        StatusCode: '05',
        Description: 'giao Phòng KH',
        Timestamp: '2019/05/16 09:00:00',
      },
    ]);
  });

  it('tells nobody about a document that did not come over the axis, or not to that agency', async () => {
    const deps = await makeWorld();
    expect(await reportStatusToAxis(deps, report({ documentId: 'from-province' }))).toEqual({
      kind: 'not-from-axis',
    });
    expect(await reportStatusToAxis(deps, report({ recipient: '000.00.02.H48' }))).toEqual({
      kind: 'not-from-axis',
    });
    expect(deps.client.statuses).toEqual([]);
  });

  it('returns a refusal by the axis, and lets an outage propagate for the queue to retry', async () => {
    const deps = await makeWorld();
    deps.client.failStatus = new AxisRejectedError('UNKNOWN_DOC', 'no such document', 404);
    expect(await reportStatusToAxis(deps, report())).toMatchObject({
      kind: 'refused',
      code: 'UNKNOWN_DOC',
    });
    deps.client.failStatus = new AxisUnavailableError('503');
    await expect(reportStatusToAxis(deps, report())).rejects.toBeInstanceOf(AxisUnavailableError);
  });

  it('shares the outbox with package sends, which keep their old shape', () => {
    expect(parseAxisOutboxMessage(JSON.stringify(report()))).toMatchObject({ kind: 'status' });
    const send = { documentId: 'd', recipient: SENDER, edxmlKey: 'axis/outbound/d.edxml' };
    expect(parseAxisOutboxMessage(JSON.stringify(send))).toEqual(send);
    expect(() => parseAxisOutboxMessage(JSON.stringify({ ...report(), code: '99' }))).toThrow();
  });
});
