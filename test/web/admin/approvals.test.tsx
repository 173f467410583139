// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApprovalsScreen } from '../../../web/src/screens/admin/index.ts';
import { errorResponse, renderAsAdmin } from './admin-workspace.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const makeApproval = (phaseId: string, title: string) => ({
  scheduleId: 'quang-ngai-2019',
  phaseId,
  title,
  attempt: 1,
  reportKeys: {
    json: `reports/quang-ngai-2019/${phaseId}/report.json`,
    csv: `reports/quang-ngai-2019/${phaseId}/report.csv`,
    html: `reports/quang-ngai-2019/${phaseId}/report.html`,
  },
  window: {
    from: '2019-05-15T00:00:00+07:00',
    to: '2019-06-15T00:00:00+07:00',
    deadline: '2019-06-20T17:00:00+07:00',
  },
  recipients: ['000.00.12.H01'],
  requestedAt: '2019-06-15T08:00:00+07:00',
});

/** Answers the list with what is still pending; a decision removes the item. */
function approvalDesk(initial: ReturnType<typeof makeApproval>[]) {
  let pending = initial;
  return {
    'GET /admin/approvals': () => ({ items: pending }),
    'POST /admin/approvals/province-pilot': (call: { body: unknown }) => {
      pending = pending.filter((a) => a.phaseId !== 'province-pilot');
      const body = call.body as { decision: string };
      return {
        phaseId: 'province-pilot',
        decision: body.decision,
        decidedBy: 'admin-1',
        decidedAt: '2019-06-16T09:30:00+07:00',
      };
    },
  };
}

const card = async (title: string) => {
  const heading = await screen.findByRole('heading', { name: title });
  const article = heading.closest('article');
  if (article === null) throw new Error('no article');
  return article;
};

describe('ApprovalsScreen', () => {
  it('approves a phase after confirmation, sends the decision and announces the result', async () => {
    const { calls } = renderAsAdmin(
      <ApprovalsScreen />,
      approvalDesk([makeApproval('province-pilot', 'Thí điểm trong tỉnh')]),
    );
    await card('Thí điểm trong tỉnh');
    expect(screen.getByText(/Người nhận báo cáo: Sở Thông tin và Truyền thông/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Phê duyệt' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Phê duyệt giai đoạn "Thí điểm trong tỉnh"?');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(document.activeElement?.textContent).toBe('Xác nhận');
    fireEvent.click(screen.getByRole('button', { name: 'Xác nhận' }));

    const status = await screen.findByRole('status');
    expect(status.textContent).toContain('Đã phê duyệt giai đoạn province-pilot (admin-1');
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.path).toBe('/admin/approvals/province-pilot');
    expect(posts[0]?.body).toEqual({ decision: 'approved' });
    expect(await screen.findByText('Không có giai đoạn nào chờ phê duyệt.')).toBeTruthy();
  });

  it('asks for a comment before rejecting, then sends it with the rejection', async () => {
    const { calls } = renderAsAdmin(
      <ApprovalsScreen />,
      approvalDesk([makeApproval('province-pilot', 'Thí điểm trong tỉnh')]),
    );
    await card('Thí điểm trong tỉnh');

    fireEvent.click(screen.getByRole('button', { name: 'Không phê duyệt' }));
    expect(screen.getByRole('alert').textContent).toBe('Hãy ghi lý do không phê duyệt.');
    const note = screen.getByLabelText('Ý kiến');
    expect(note.getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByRole('alertdialog')).toBeNull();

    fireEvent.input(note, { target: { value: '  Sở Tài chính chưa gửi văn bản nào  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Không phê duyệt' }));
    expect(screen.getByRole('alertdialog').textContent).toContain(
      'Không phê duyệt giai đoạn "Thí điểm trong tỉnh"?',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Xác nhận' }));

    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toContain(
        'Đã ghi nhận không phê duyệt giai đoạn province-pilot',
      ),
    );
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      decision: 'rejected',
      note: 'Sở Tài chính chưa gửi văn bản nào',
    });
  });

  it('sends nothing when the confirmation is cancelled', async () => {
    const { calls } = renderAsAdmin(
      <ApprovalsScreen />,
      approvalDesk([makeApproval('province-pilot', 'Thí điểm trong tỉnh')]),
    );
    await card('Thí điểm trong tỉnh');

    fireEvent.click(screen.getByRole('button', { name: 'Phê duyệt' }));
    fireEvent.click(screen.getByRole('button', { name: 'Hủy' }));

    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('button', { name: 'Phê duyệt' })).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('says the phase was decided elsewhere when the API answers 409, and reloads the list', async () => {
    let lists = 0;
    const { calls } = renderAsAdmin(<ApprovalsScreen />, {
      'GET /admin/approvals': () => {
        lists += 1;
        return {
          items: lists === 1 ? [makeApproval('province-pilot', 'Thí điểm trong tỉnh')] : [],
        };
      },
      'POST /admin/approvals/province-pilot': () =>
        errorResponse(409, 'APPROVAL_DECIDED', 'approval province-pilot is not pending'),
    });
    await card('Thí điểm trong tỉnh');

    fireEvent.click(screen.getByRole('button', { name: 'Phê duyệt' }));
    fireEvent.click(screen.getByRole('button', { name: 'Xác nhận' }));

    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'Giai đoạn này đã được quyết định hoặc không còn chờ phê duyệt.',
      ),
    );
    await screen.findByText('Không có giai đoạn nào chờ phê duyệt.');
    expect(calls.filter((c) => c.path === '/admin/approvals')).toHaveLength(2);
  });

  it("shows a phase's HTML report in a sandboxed frame", async () => {
    const html = '<!doctype html><title>Báo cáo</title><h1>Báo cáo giai đoạn thí điểm</h1>';
    renderAsAdmin(<ApprovalsScreen />, {
      ...approvalDesk([makeApproval('province-pilot', 'Thí điểm trong tỉnh')]),
      'GET /admin/reports/quang-ngai-2019/province-pilot/report.html': () =>
        new Response(html, { headers: { 'content-type': 'text/html' } }),
    });
    await card('Thí điểm trong tỉnh');

    fireEvent.click(screen.getByRole('button', { name: 'Xem report.html' }));

    const frame = await screen.findByTitle('Báo cáo report.html');
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toBe(html);
  });

  it('speaks English when the console is switched to it', async () => {
    renderAsAdmin(
      <ApprovalsScreen />,
      approvalDesk([makeApproval('province-pilot', 'Thí điểm trong tỉnh')]),
      'en',
    );
    await card('Thí điểm trong tỉnh');

    expect(screen.getByRole('heading', { name: 'Phase approvals' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('status')).textContent).toContain(
      'Phase province-pilot approved (admin-1',
    );
  });
});
