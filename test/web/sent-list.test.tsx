// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentSummary } from '../../web/src/api.ts';
import { SentList } from '../../web/src/screens/sent-list.tsx';
import { fakeFetch, makeDetail, renderInWorkspace } from './fake-workspace.tsx';

afterEach(cleanup);

const summary = (id: string, number: string, status: DocumentSummary['status']) => {
  const {
    recipients,
    history,
    deliveries,
    verification,
    paperCopy,
    rejectionReasons,
    countersigned,
    ...rest
  } = makeDetail({ id, number, status });
  return rest;
};

describe('SentList', () => {
  it('lists sent documents with their state in words, linked to their timelines, page by page', async () => {
    const api = fakeFetch({
      'GET /documents?direction=sent': () => ({
        items: [summary('doc-2', '1809', 'ROUTED'), summary('doc-1', '1808', 'REJECTED')],
        cursor: 'page-2',
      }),
      'GET /documents?direction=sent&cursor=page-2': () => ({
        items: [summary('doc-0', '1807', 'COUNTERSIGNED')],
      }),
    });
    renderInWorkspace(<SentList />, { fetch: api.fetch });

    const link = await screen.findByRole('link', { name: '1809/UBND-KGVX' });
    expect(link.getAttribute('href')).toBe('#/documents/doc-2');
    expect(link.closest('tr')?.textContent).toContain('Đã chuyển đến nơi nhận');
    expect(
      screen.getByRole('link', { name: '1808/UBND-KGVX' }).closest('tr')?.textContent,
    ).toContain('Bị từ chối');

    fireEvent.click(screen.getByRole('button', { name: 'Xem thêm' }));

    await screen.findByRole('link', { name: '1807/UBND-KGVX' });
    expect(screen.getAllByRole('row')).toHaveLength(4);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Xem thêm' })).toBeNull());
  });

  it('says so when nothing has been sent yet', async () => {
    const api = fakeFetch({ 'GET /documents?direction=sent': () => ({ items: [] }) });
    renderInWorkspace(<SentList />, { fetch: api.fetch });

    expect(await screen.findByText('Chưa có văn bản nào.')).toBeTruthy();
  });
});
