// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReportsScreen } from '../../../web/src/screens/admin/index.ts';
import { renderAsAdmin } from './admin-workspace.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const entry = (phaseId: string, file: string, lastModified: string) => {
  const format = file.slice(file.lastIndexOf('.') + 1);
  return {
    key: `reports/quang-ngai-2019/${phaseId}/${file}`,
    scheduleId: 'quang-ngai-2019',
    phaseId,
    file,
    format,
    size: 2048,
    lastModified,
    href: `/admin/reports/quang-ngai-2019/${phaseId}/${file}`,
  };
};

describe('ReportsScreen', () => {
  it('lists each phase with its files, and pages on', async () => {
    const { calls } = renderAsAdmin(<ReportsScreen />, {
      'GET /admin/reports': () => ({
        items: [
          entry('axis-pilot', 'report.csv', '2019-05-11T01:00:00.000Z'),
          entry('axis-pilot', 'report.html', '2019-05-11T01:00:00.000Z'),
        ],
        cursor: 'page-2',
      }),
      'GET /admin/reports?cursor=page-2': () => ({
        items: [entry('province-pilot', 'report.csv', '2019-06-16T01:00:00.000Z')],
      }),
    });

    const axis = (await screen.findByRole('heading', { name: 'axis-pilot' })).closest('article');
    if (axis === null) throw new Error('no article');
    expect(
      within(axis)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Xem report.html', 'Tải report.html', 'Tải report.csv']);

    fireEvent.click(screen.getByRole('button', { name: 'Xem thêm' }));

    await screen.findByRole('heading', { name: 'province-pilot' });
    expect(screen.queryByRole('button', { name: 'Xem thêm' })).toBeNull();
    expect(calls.map((c) => c.path)).toEqual(['/admin/reports', '/admin/reports?cursor=page-2']);
  });

  it('downloads a CSV through the API with the token', async () => {
    const csv = 'agency,sent\n000.00.01.H48,29\n';
    const { calls } = renderAsAdmin(<ReportsScreen />, {
      'GET /admin/reports': () => ({
        items: [entry('axis-pilot', 'report.csv', '2019-05-11T01:00:00.000Z')],
      }),
      'GET /admin/reports/quang-ngai-2019/axis-pilot/report.csv': () =>
        new Response(csv, { headers: { 'content-type': 'text/csv' } }),
    });
    const saved: { name: string; blob: Blob }[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      if (blob instanceof Blob) saved.push({ name: '', blob });
      return 'blob:report';
    });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      const last = saved.at(-1);
      if (last) last.name = this.download;
    });

    fireEvent.click(await screen.findByRole('button', { name: 'Tải report.csv' }));

    await waitFor(() => expect(click).toHaveBeenCalledOnce());
    expect(saved[0]?.name).toBe('report.csv');
    expect(await saved[0]?.blob.text()).toBe(csv);
    const download = calls.find((c) => c.path.endsWith('report.csv'));
    expect(download?.headers.get('authorization')).toMatch(/^Bearer /);
  });

  it('says when there are no reports', async () => {
    renderAsAdmin(<ReportsScreen />, { 'GET /admin/reports': () => ({ items: [] }) });
    expect(await screen.findByText('Chưa có báo cáo nào.')).toBeTruthy();
  });
});
