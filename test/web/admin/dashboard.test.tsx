// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentAgencies, windowDays } from '../../../web/src/screens/admin/dashboard.tsx';
import { AdminDashboard } from '../../../web/src/screens/admin/index.ts';
import type { RecordedCall } from '../fake-workspace.tsx';
import { AGENCIES } from '../fake-workspace.tsx';
import { renderAsAdmin } from './admin-workspace.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const rollout = {
  source: 'schedule',
  scheduleId: 'quang-ngai-2019',
  phaseId: 'province-pilot',
  policy: {
    phaseId: 'province-pilot',
    channelsOpen: ['province'],
    enrolledAgencies: ['000.00.01.H01', '000.00.12.H01', '000.00.15.H01'],
    electronicOnlyTypes: 'catalogue',
  },
  effectiveFrom: '2019-05-15T00:00:00+07:00',
  effectiveTo: '2019-06-15T00:00:00+07:00',
  appliedAt: '2019-05-15T00:00:02+07:00',
};

const approvals = {
  items: [
    {
      scheduleId: 'quang-ngai-2019',
      phaseId: 'axis-pilot',
      title: 'Thí điểm trục quốc gia',
      attempt: 1,
      reportKeys: {
        json: 'reports/quang-ngai-2019/axis-pilot/report.json',
        csv: 'reports/quang-ngai-2019/axis-pilot/report.csv',
        html: 'reports/quang-ngai-2019/axis-pilot/report.html',
      },
      window: {
        from: '2019-04-25T00:00:00+07:00',
        to: '2019-05-10T23:59:59+07:00',
        deadline: '2019-05-14T17:00:00+07:00',
      },
      recipients: [],
      requestedAt: '2019-05-11T08:00:00+07:00',
    },
  ],
};

const baseStats = {
  window: { from: '2019-05-01T07:00:00+07:00', to: '2019-05-15T07:00:00+07:00' },
  timezone: 'Asia/Ho_Chi_Minh',
  generatedAt: '2019-05-15T08:00:00+07:00',
  complete: true,
  documents: { total: 37, electronicOnly: 30, paperAlso: 7, verified: 33, rejected: 4 },
  deliveries: { total: 52, delivered: 45, refused: 2, pending: 5 },
  rejectionsByReason: [],
  latency: { method: 'nearest-rank', samples: 0, medianMs: null, p95Ms: null },
};

/** The fake's answer to `GET /admin/stats`: a day's total is its day of the month. */
function stats(call: RecordedCall, extra: Record<string, unknown> = {}) {
  const query = new URL(call.path, 'http://api.test').searchParams;
  const from = query.get('from') ?? '';
  const groupBy = query.get('groupBy');
  if (from === query.get('to')) {
    const day = Number(from.slice(8, 10));
    return {
      ...baseStats,
      documents: { ...baseStats.documents, total: day },
      groupBy: 'status',
      groups: [],
    };
  }
  if (groupBy === 'agency') {
    return {
      ...baseStats,
      groupBy,
      groups: [
        { agency: '000.00.01.H01', name: 'Văn phòng UBND tỉnh', sent: 29, received: 3, refused: 0 },
        {
          agency: '000.00.12.H01',
          name: 'Sở Thông tin và Truyền thông',
          sent: 8,
          received: 41,
          refused: 2,
        },
      ],
    };
  }
  if (groupBy === 'channel') {
    return {
      ...baseStats,
      groupBy,
      groups: [
        {
          channel: 'province',
          documents: 37,
          deliveries: 52,
          delivered: 45,
          refused: 2,
          pending: 5,
        },
      ],
    };
  }
  return {
    ...baseStats,
    ...extra,
    groupBy: 'status',
    groups: [
      { status: 'AWAITING_UPLOAD', documents: 0 },
      { status: 'UPLOADED', documents: 0 },
      { status: 'VERIFIED', documents: 1 },
      { status: 'COUNTERSIGNED', documents: 2 },
      { status: 'ROUTED', documents: 30 },
      { status: 'REJECTED', documents: 4 },
    ],
  };
}

const figure = async (caption: string) => {
  const captionElement = await screen.findByText(caption, { selector: 'figcaption' });
  const element = captionElement.closest('figure');
  if (element === null) throw new Error(`no figure for ${caption}`);
  return element;
};

/** The figures of a chart's table, row header to cells. */
const tableOf = (element: HTMLElement) =>
  Object.fromEntries(
    within(element)
      .getAllByRole('row', { hidden: true })
      .flatMap((row) => {
        const header = row.querySelector('th[scope="row"]');
        if (header === null) return [];
        return [
          [header.textContent ?? '', [...row.querySelectorAll('td')].map((td) => td.textContent)],
        ];
      }),
  );

describe('AdminDashboard', () => {
  it('shows the phase in force, its dates and the deadline of the phase awaiting approval', async () => {
    renderAsAdmin(<AdminDashboard />, {
      'GET /admin/rollout': () => rollout,
      'GET /admin/approvals': () => approvals,
      'GET /admin/stats': (call) => stats(call),
    });

    expect(
      await screen.findByRole('heading', { name: 'Giai đoạn hiện hành: province-pilot' }),
    ).toBeTruthy();
    expect(screen.getByText('Áp dụng theo lịch triển khai quang-ngai-2019.')).toBeTruthy();
    expect(screen.getByText('Nội bộ tỉnh', { selector: 'dd' })).toBeTruthy();
    expect(screen.getByText('3 cơ quan')).toBeTruthy();
    const deadline = screen.getByRole('link', { name: /Thí điểm trục quốc gia: hạn quyết định/ });
    expect(deadline.getAttribute('href')).toBe('#/admin/approvals');
    expect(deadline.textContent).toMatch(/17:00.*14\/0?5\/(20)?19/);
  });

  it('draws the figures of the stats as charts whose tables hold the same numbers', async () => {
    const { calls } = renderAsAdmin(<AdminDashboard />, {
      'GET /admin/rollout': () => rollout,
      'GET /admin/approvals': () => approvals,
      'GET /admin/stats': (call) => stats(call),
    });

    const perAgency = await figure('Hoạt động theo cơ quan');
    expect(tableOf(perAgency)).toEqual({
      'Văn phòng UBND tỉnh': ['29', '3', '0'],
      'Sở Thông tin và Truyền thông': ['8', '41', '2'],
    });
    expect(within(perAgency).getByRole('img', { name: 'Hoạt động theo cơ quan' })).toBeTruthy();

    const byStatus = tableOf(await figure('Văn bản theo trạng thái'));
    expect(byStatus['Bị từ chối']).toEqual(['4']);
    expect(byStatus['Đã chuyển đến nơi nhận']).toEqual(['30']);
    expect(tableOf(await figure('Lượt gửi theo kênh'))).toEqual({ 'Nội bộ tỉnh': ['52'] });

    const perDay = tableOf(await figure('Văn bản mỗi ngày'));
    const days = windowDays(new Date());
    expect(Object.keys(perDay)).toEqual(days);
    for (const day of days) expect(perDay[day]).toEqual([String(Number(day.slice(8, 10)))]);

    const totals = screen.getByRole('heading', { name: 'Số liệu chung' }).closest('section');
    if (totals === null) throw new Error('no totals');
    expect(within(totals).getByText('Văn bản').nextElementSibling?.textContent).toBe('37');
    expect(within(totals).getByText('Bị từ chối').nextElementSibling?.textContent).toBe('4');

    const statsCalls = calls.filter((c) => c.path.startsWith('/admin/stats?'));
    expect(statsCalls).toHaveLength(days.length + 3);
    expect(statsCalls.every((c) => c.headers.get('authorization')?.startsWith('Bearer '))).toBe(
      true,
    );
  });

  it('lists the enrolled issuing agencies that sent nothing', async () => {
    renderAsAdmin(<AdminDashboard />, {
      'GET /admin/rollout': () => rollout,
      'GET /admin/approvals': () => approvals,
      'GET /admin/stats': (call) => stats(call),
    });

    const heading = await screen.findByRole('heading', { name: 'Cơ quan chưa gửi văn bản nào' });
    const section = heading.closest('section');
    if (section === null) throw new Error('no section');
    const items = within(section)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual(['Sở Tài chính 000.00.15.H01']);
  });

  it('charts rejection reasons and delivery times', async () => {
    renderAsAdmin(<AdminDashboard />, {
      'GET /admin/rollout': () => rollout,
      'GET /admin/approvals': () => approvals,
      'GET /admin/stats': (call) =>
        stats(call, {
          rejectionsByReason: [
            { reason: 'SIGNER_NOT_OF_AGENCY', count: 3 },
            { reason: 'CHECKSUM_MISMATCH', count: 1 },
          ],
          latency: { method: 'nearest-rank', samples: 45, medianMs: 5_400_000, p95Ms: 19_800_000 },
        }),
    });

    const reasons = tableOf(await figure('Lý do từ chối'));
    expect(reasons).toEqual({
      'Người ký không thuộc cơ quan gửi.': ['3'],
      'Tệp tải lên khác với tệp đã đăng ký (mã băm không khớp).': ['1'],
    });
    expect(tableOf(await figure('Thời gian chuyển đến nơi nhận (giờ)'))).toEqual({
      'Trung vị': ['1.5'],
      'Phân vị 95': ['5.5'],
    });
    expect(screen.getByText('Tính trên 45 lượt gửi đã đến nơi nhận.')).toBeTruthy();
  });

  it('says when there are no rejections and no delivery yet to time', async () => {
    renderAsAdmin(<AdminDashboard />, {
      'GET /admin/rollout': () => rollout,
      'GET /admin/approvals': () => approvals,
      'GET /admin/stats': (call) => stats(call),
    });

    expect(await screen.findByText('Không có văn bản nào bị từ chối.')).toBeTruthy();
    expect(
      screen.getByText('Chưa có lượt gửi nào đến nơi nhận trong khoảng thời gian này.'),
    ).toBeTruthy();
  });

  it('keeps the phase visible when approvals are unavailable in the deployment', async () => {
    renderAsAdmin(<AdminDashboard />, {
      'GET /admin/rollout': () => ({ ...rollout }),
      'GET /admin/approvals': () =>
        new Response(
          JSON.stringify({
            error: { code: 'APPROVALS_UNAVAILABLE', message: 'none', details: [] },
          }),
          { status: 503 },
        ),
      'GET /admin/stats': (call) => stats(call),
    });

    expect(await screen.findByText('Không có giai đoạn nào chờ phê duyệt.')).toBeTruthy();
  });
});

describe('windowDays', () => {
  it('ends with the UTC day of the instant and goes back day by day', () => {
    expect(windowDays(new Date('2019-05-02T20:00:00Z'), 3)).toEqual([
      '2019-04-30',
      '2019-05-01',
      '2019-05-02',
    ]);
  });
});

describe('silentAgencies', () => {
  it('keeps issuing agencies of the phase without documents sent', () => {
    const sent = new Map([['000.00.01.H01', 2]]);
    const codes = (enrolled: 'all' | string[]) =>
      silentAgencies(AGENCIES, sent, enrolled).map((a) => a.code);
    expect(codes('all')).toEqual(['000.00.12.H01', '000.00.15.H01']);
    expect(codes(['000.00.01.H01', '000.00.15.H01'])).toEqual(['000.00.15.H01']);
  });
});
