// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { receiptBodySchema } from '#shared/documents/api-schemas.ts';
import type { ReceivedDelivery } from '../../web/src/api.ts';
import { Inbox, receiptSteps } from '../../web/src/screens/inbox.tsx';
import { fakeFetch, makeDelivery, makeDetail, renderInWorkspace } from './fake-workspace.tsx';

afterEach(cleanup);

const RECIPIENT = '000.00.12.H01';

/**
 * An inbox of one delivery whose receipts endpoint checks the body against the API's schema and
 * applies the code it is sent (the state machine is the API's business; these tests check what
 * the console sends).
 */
function inboxOf(delivery: ReceivedDelivery) {
  return fakeFetch({
    'GET /inbox': () => ({ items: [delivery] }),
    'GET /documents/doc-1': () =>
      makeDetail({ status: 'ROUTED', countersigned: true, issuer: '000.00.01.H01' }),
    'POST /documents/doc-1/receipts': (call) => {
      const body = receiptBodySchema.parse(call.body);
      return {
        documentId: 'doc-1',
        recipient: RECIPIENT,
        channel: 'province',
        state: body.code,
        updatedAt: '2019-04-25T03:00:00.000Z',
        ...(body.reason ? { reason: body.reason } : {}),
      };
    },
  });
}

const receipts = (api: ReturnType<typeof fakeFetch>) =>
  api.calls.filter((c) => c.method === 'POST').map((c) => c.body);

async function renderInbox(delivery: ReceivedDelivery) {
  const api = inboxOf(delivery);
  renderInWorkspace(<Inbox />, { fetch: api.fetch, session: { agency: RECIPIENT } });
  const item = await screen.findByRole('article', { name: '1808/UBND-KGVX' });
  const button = (name: string) => within(item).getByRole<HTMLButtonElement>('button', { name });
  return { api, item, button };
}

describe('Inbox', () => {
  it('shows who sent each document, with its subject and state in words', async () => {
    const { item } = await renderInbox(makeDelivery({ state: 'SENT' }));

    expect(item.textContent).toContain('Triển khai gửi nhận văn bản điện tử');
    expect(item.textContent).toContain('Cơ quan gửi: Văn phòng UBND tỉnh');
    expect(item.textContent).toContain('Trạng thái: Đã gửi');
  });

  it('accepts a document that has just arrived by reporting 01 and then 03', async () => {
    const { api, item, button } = await renderInbox(makeDelivery({ state: 'SENT' }));
    expect(button('Đang xử lý (05)').disabled).toBe(true);

    fireEvent.click(button('Tiếp nhận (03)'));

    await waitFor(() => expect(item.textContent).toContain('03 Đã tiếp nhận'));
    expect(receipts(api)).toEqual([{ code: '01' }, { code: '03' }]);
    expect(button('Tiếp nhận (03)').disabled).toBe(true);
    expect(button('Đang xử lý (05)').disabled).toBe(false);
    expect(button('Hoàn thành (06)').disabled).toBe(false);
  });

  it('reports in progress (05) and then done (06) on an accepted document', async () => {
    const { api, item, button } = await renderInbox(makeDelivery({ state: '03' }));

    fireEvent.click(button('Đang xử lý (05)'));
    await waitFor(() => expect(item.textContent).toContain('05 Đang xử lý'));
    fireEvent.click(button('Hoàn thành (06)'));
    await waitFor(() => expect(item.textContent).toContain('06 Đã hoàn thành'));

    expect(receipts(api)).toEqual([{ code: '05' }, { code: '06' }]);
    for (const name of ['Tiếp nhận (03)', 'Đang xử lý (05)', 'Hoàn thành (06)', 'Từ chối (02)']) {
      expect(button(name).disabled).toBe(true);
    }
  });

  it('will not refuse without a reason, and sends the reason with code 02', async () => {
    const { api, item, button } = await renderInbox(makeDelivery({ state: '01' }));

    fireEvent.click(button('Từ chối (02)'));
    fireEvent.click(button('Gửi từ chối'));
    expect(within(item).getByRole('alert').textContent).toBe('Vui lòng nhập lý do từ chối.');
    expect(receipts(api)).toEqual([]);

    fireEvent.input(within(item).getByLabelText('Lý do từ chối'), {
      target: { value: '  Gửi nhầm cơ quan  ' },
    });
    fireEvent.click(button('Gửi từ chối'));

    await waitFor(() =>
      expect(item.textContent).toContain('02 Từ chối tiếp nhận — Gửi nhầm cơ quan'),
    );
    expect(receipts(api)).toEqual([{ code: '02', reason: 'Gửi nhầm cơ quan' }]);
    expect(button('Tiếp nhận (03)').disabled).toBe(true);
    expect(button('Từ chối (02)').disabled).toBe(true);
  });

  it('offers only the moves the delivery model allows', () => {
    expect(receiptSteps('SENT', '03')).toEqual(['01', '03']);
    expect(receiptSteps('01', '03')).toEqual(['03']);
    expect(receiptSteps('SENT', '02')).toEqual(['02']);
    expect(receiptSteps('SENT', '06')).toBeUndefined();
    expect(receiptSteps('03', '02')).toBeUndefined();
    expect(receiptSteps('06', '05')).toBeUndefined();
    expect(receiptSteps('UNDELIVERABLE', '03')).toBeUndefined();
  });
});
