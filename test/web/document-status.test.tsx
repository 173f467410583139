// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentDetail } from '../../web/src/api.ts';
import { DocumentStatus, nextPoll, type Schedule } from '../../web/src/screens/document-status.tsx';
import { fakeFetch, makeDetail, renderInWorkspace } from './fake-workspace.tsx';

afterEach(cleanup);

/** A schedule the test runs by hand: no clock, each poll happens when the test says so. */
function manualSchedule() {
  const pending: { run: () => Promise<void>; ms: number }[] = [];
  const schedule: Schedule = (run, ms) => {
    const entry = { run, ms };
    pending.push(entry);
    return () => {
      const i = pending.indexOf(entry);
      if (i >= 0) pending.splice(i, 1);
    };
  };
  const runNext = async () => {
    const next = pending.shift();
    if (next === undefined) throw new Error('nothing is scheduled');
    await act(() => next.run());
  };
  return { schedule, pending, runNext };
}

/** Answers the documents in turn, the last one again once the list runs out. */
function documentsInTurn(...details: DocumentDetail[]) {
  let i = 0;
  return fakeFetch({
    'GET /documents/doc-1': () => details[Math.min(i++, details.length - 1)],
  });
}

const at = (minute: number) => `2019-04-25T02:0${minute}:00.000Z`;

describe('DocumentStatus', () => {
  it('polls while the pipeline works and stops once every recipient has settled', async () => {
    const api = documentsInTurn(
      makeDetail({ status: 'UPLOADED', history: [{ at: at(1), status: 'UPLOADED', actor: 'p' }] }),
      makeDetail({
        status: 'COUNTERSIGNED',
        countersigned: true,
        history: [
          { at: at(1), status: 'UPLOADED', actor: 'p' },
          { at: at(2), status: 'VERIFIED', actor: 'p' },
          { at: at(3), status: 'COUNTERSIGNED', actor: 'p' },
        ],
      }),
      makeDetail({
        status: 'ROUTED',
        countersigned: true,
        recipients: ['000.00.12.H01', '000.00.15.H01'],
        history: [
          { at: at(1), status: 'UPLOADED', actor: 'p' },
          { at: at(2), status: 'VERIFIED', actor: 'p' },
          { at: at(3), status: 'COUNTERSIGNED', actor: 'p' },
          { at: at(4), status: 'ROUTED', actor: 'p' },
        ],
        deliveries: [
          { recipient: '000.00.12.H01', channel: 'province', state: '06', updatedAt: at(6) },
          {
            recipient: '000.00.15.H01',
            channel: 'province',
            state: '02',
            updatedAt: at(7),
            reason: 'Gửi nhầm cơ quan',
          },
        ],
      }),
    );
    const polls = manualSchedule();
    const { container } = renderInWorkspace(
      <DocumentStatus id="doc-1" schedule={polls.schedule} />,
      { fetch: api.fetch },
    );

    expect((await screen.findByTestId('current-status')).textContent).toBe(
      'Trạng thái hiện tại: Đã tải lên',
    );
    const step = (name: string) => container.querySelector(`[data-step="${name}"]`)?.className;
    expect([step('UPLOADED'), step('VERIFIED'), step('ROUTED')]).toEqual(['done', 'todo', 'todo']);
    expect(polls.pending).toHaveLength(1);

    await polls.runNext();
    expect(screen.getByTestId('current-status').textContent).toBe(
      'Trạng thái hiện tại: Đã ký số của cơ quan',
    );
    expect([step('VERIFIED'), step('COUNTERSIGNED'), step('ROUTED')]).toEqual([
      'done',
      'done',
      'todo',
    ]);

    await polls.runNext();
    expect(screen.getByTestId('current-status').textContent).toBe(
      'Trạng thái hiện tại: Đã chuyển đến nơi nhận',
    );
    expect(step('ROUTED')).toBe('done');
    const row = (code: string) =>
      container.querySelector(`tr[data-recipient="${code}"]`)?.textContent ?? '';
    expect(row('000.00.12.H01')).toContain('Sở Thông tin và Truyền thông');
    expect(row('000.00.12.H01')).toContain('06 Đã hoàn thành');
    expect(row('000.00.15.H01')).toContain('02 Từ chối tiếp nhận — Gửi nhầm cơ quan');
    expect(polls.pending).toEqual([]);
    expect(api.calls).toHaveLength(3);
  });

  it('keeps polling a routed document, slower, while a recipient has not finished', () => {
    const routed = makeDetail({
      status: 'ROUTED',
      deliveries: [
        { recipient: '000.00.12.H01', channel: 'province', state: '03', updatedAt: at(5) },
      ],
    });
    const working = nextPoll(makeDetail({ status: 'VERIFIED' }));
    const waiting = nextPoll(routed);

    expect(working).toBeDefined();
    expect(waiting).toBeGreaterThan(working ?? Number.POSITIVE_INFINITY);
    expect(nextPoll(makeDetail({ status: 'REJECTED' }))).toBeUndefined();
  });

  it('explains a rejection in plain words and stops polling', async () => {
    const api = documentsInTurn(
      makeDetail({
        status: 'REJECTED',
        history: [
          { at: at(1), status: 'UPLOADED', actor: 'p' },
          { at: at(2), status: 'REJECTED', actor: 'p', note: 'SIGNATURE_TOTAL_FAILED' },
        ],
        rejectionReasons: [
          {
            code: 'SIGNATURE_TOTAL_FAILED',
            message: 'HASH_FAILURE: Signature1: the digest does not match',
          },
          { code: 'SOMETHING_NEW', message: 'Lý do mới mà bảng điều khiển chưa biết' },
        ],
      }),
    );
    const polls = manualSchedule();
    const { container } = renderInWorkspace(
      <DocumentStatus id="doc-1" schedule={polls.schedule} />,
      { fetch: api.fetch },
    );

    const reasons = await screen.findByRole('alert');
    expect(reasons.textContent).toContain('Chữ ký số trên tệp không hợp lệ');
    expect(reasons.textContent).toContain('HASH_FAILURE: Signature1: the digest does not match');
    expect(reasons.textContent).toContain('Lý do mới mà bảng điều khiển chưa biết');
    expect(container.querySelector('[data-step="REJECTED"]')?.textContent).toContain('Bị từ chối');
    expect(container.querySelector('[data-step="VERIFIED"]')?.className).toBe('todo');
    expect(polls.pending).toEqual([]);
  });

  it('reports a failed read and tries again later', async () => {
    const api = fakeFetch({});
    const polls = manualSchedule();
    renderInWorkspace(<DocumentStatus id="doc-1" schedule={polls.schedule} />, {
      fetch: api.fetch,
    });

    expect((await screen.findByRole('alert')).textContent).toContain('Có lỗi');
    expect(polls.pending).toHaveLength(1);
  });
});
