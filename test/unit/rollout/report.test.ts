import { describe, expect, it } from 'vitest';
import {
  computeReport,
  percentileNearestRank,
  type ReportDocument,
  type ReportOptions,
  type ReportRecipient,
} from '#shared/rollout/report.ts';
import { csvField, renderReportCsv } from '#shared/rollout/report-csv.ts';
import { escapeHtml, renderReportHtml } from '#shared/rollout/report-html.ts';

const PROVINCE_OFFICE = '000.00.01.H48';
const DEPT_IT = '000.00.02.H48';
const DEPT_HOME = '000.00.03.H48';
const GOV_OFFICE = '000.00.00.G22';

function makeRecipient(overrides: Partial<ReportRecipient> = {}): ReportRecipient {
  return {
    agency: DEPT_IT,
    channel: 'province',
    state: '01',
    deliveredAt: '2019-05-20T09:05:00+07:00',
    ...overrides,
  };
}

function makeDocument(overrides: Partial<ReportDocument> = {}): ReportDocument {
  return {
    id: 'doc-1',
    issuer: PROVINCE_OFFICE,
    type: 'TB',
    status: 'ROUTED',
    rejectionReasons: [],
    paperCopyRequired: false,
    createdAt: '2019-05-20T08:00:00+07:00',
    uploadedAt: '2019-05-20T09:00:00+07:00',
    recipients: [makeRecipient()],
    ...overrides,
  };
}

function makeOptions(overrides: Partial<ReportOptions> = {}): ReportOptions {
  return {
    window: { from: '2019-05-15T00:00:00+07:00', to: '2019-06-16T00:00:00+07:00' },
    timezone: 'Asia/Ho_Chi_Minh',
    generatedAt: new Date('2019-06-16T01:00:00Z'),
    title: 'Báo cáo thí điểm nội bộ tỉnh',
    phaseId: 'province-pilot',
    enrolledAgencies: [PROVINCE_OFFICE, DEPT_IT, DEPT_HOME],
    agencyNames: {
      [PROVINCE_OFFICE]: 'Văn phòng UBND tỉnh',
      [DEPT_IT]: 'Sở Thông tin và Truyền thông',
      [DEPT_HOME]: 'Sở Nội vụ',
    },
    ...overrides,
  };
}

/** RFC 4180 reader, to check the CSV by reading it back rather than by matching text. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

describe('percentileNearestRank', () => {
  it('picks the value at rank ⌈p/100 × n⌉ of the sorted values', () => {
    const values = [50, 15, 40, 20, 35];

    expect(percentileNearestRank(values, 5)).toBe(15);
    expect(percentileNearestRank(values, 30)).toBe(20);
    expect(percentileNearestRank(values, 40)).toBe(20);
    expect(percentileNearestRank(values, 50)).toBe(35);
    expect(percentileNearestRank(values, 100)).toBe(50);
  });

  it('takes the lower middle value as the median of an even count, never an average', () => {
    expect(percentileNearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });

  it('gives the 19th of 20 values as the 95th percentile and the 20th of 21', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);

    expect(percentileNearestRank(twenty, 95)).toBe(190);
    expect(percentileNearestRank([...twenty, 210], 95)).toBe(200);
  });

  it('has no percentile of nothing and refuses percentiles outside (0, 100]', () => {
    expect(percentileNearestRank([], 50)).toBeUndefined();
    expect(() => percentileNearestRank([1], 0)).toThrow(RangeError);
    expect(() => percentileNearestRank([1], 101)).toThrow(RangeError);
  });
});

describe('computeReport', () => {
  it('reports an empty window as zeros, no latency and every enrolled agency silent', () => {
    const report = computeReport([], makeOptions());

    expect(report.documents).toMatchObject({
      total: 0,
      electronicOnly: 0,
      paperAlso: 0,
      verified: 0,
    });
    expect(report.deliveries).toEqual({ total: 0, delivered: 0, refused: 0, pending: 0 });
    expect(report.latency).toEqual({
      method: 'nearest-rank',
      samples: 0,
      medianMs: null,
      p95Ms: null,
    });
    expect(report.silentAgencies).toEqual([PROVINCE_OFFICE, DEPT_IT, DEPT_HOME]);
    expect(report.channels.map((c) => c.documents)).toEqual([0, 0]);
    expect(report.rejectionsByReason).toEqual([]);
  });

  it('counts documents sent and received per agency and per channel', () => {
    const docs = [
      makeDocument({
        id: 'a',
        recipients: [
          makeRecipient({ agency: DEPT_IT, channel: 'province', state: '03' }),
          makeRecipient({ agency: GOV_OFFICE, channel: 'national-axis', state: '01' }),
        ],
      }),
      makeDocument({
        id: 'b',
        issuer: DEPT_IT,
        recipients: [
          makeRecipient({ agency: PROVINCE_OFFICE, channel: 'province', state: 'SENT' }),
        ],
      }),
      makeDocument({
        id: 'c',
        recipients: [makeRecipient({ agency: DEPT_IT, channel: 'province', state: '02' })],
      }),
    ];

    const report = computeReport(docs, makeOptions());
    const office = report.agencies.find((a) => a.agency === PROVINCE_OFFICE);
    const it_ = report.agencies.find((a) => a.agency === DEPT_IT);

    expect(office).toMatchObject({
      name: 'Văn phòng UBND tỉnh',
      sent: 2,
      received: 0,
      sentByChannel: { province: 2, 'national-axis': 1 },
    });
    expect(it_).toMatchObject({
      sent: 1,
      received: 1,
      refused: 1,
      receivedByChannel: { province: 1 },
    });
    expect(report.agencies.find((a) => a.agency === GOV_OFFICE)).toMatchObject({
      name: GOV_OFFICE,
      received: 1,
      receivedByChannel: { 'national-axis': 1, province: 0 },
    });
    expect(report.channels).toEqual([
      {
        channel: 'national-axis',
        documents: 1,
        deliveries: 1,
        delivered: 1,
        refused: 0,
        pending: 0,
      },
      { channel: 'province', documents: 3, deliveries: 3, delivered: 1, refused: 1, pending: 1 },
    ]);
    expect(report.deliveries).toEqual({ total: 4, delivered: 2, refused: 1, pending: 1 });
    expect(report.silentAgencies).toEqual([DEPT_HOME]);
  });

  it('counts verified, rejected by reason, and electronic-only against paper-also documents', () => {
    const docs = [
      makeDocument({ status: 'VERIFIED' }),
      makeDocument({ status: 'COUNTERSIGNED', paperCopyRequired: true }),
      makeDocument({ status: 'REJECTED', rejectionReasons: ['SIGNATURE_INVALID', 'NOT_TRUSTED'] }),
      makeDocument({ status: 'REJECTED', rejectionReasons: ['SIGNATURE_INVALID'] }),
      makeDocument({ status: 'REJECTED', rejectionReasons: [], paperCopyRequired: true }),
      makeDocument({ status: 'UPLOADED', recipients: [] }),
    ];

    const report = computeReport(docs, makeOptions());

    expect(report.documents).toMatchObject({
      total: 6,
      electronicOnly: 4,
      paperAlso: 2,
      verified: 2,
      rejected: 3,
    });
    expect(report.documents.byStatus).toEqual({
      AWAITING_UPLOAD: 0,
      UPLOADED: 1,
      VERIFIED: 1,
      COUNTERSIGNED: 1,
      ROUTED: 0,
      REJECTED: 3,
    });
    expect(report.rejectionsByReason).toEqual([
      { reason: 'SIGNATURE_INVALID', count: 2 },
      { reason: 'NOT_TRUSTED', count: 1 },
      { reason: 'UNSPECIFIED', count: 1 },
    ]);
  });

  it('takes documents created from the window start up to, not including, its end', () => {
    const docs = [
      makeDocument({ id: 'before', createdAt: '2019-05-14T23:59:59.999+07:00' }),
      makeDocument({ id: 'at-start', createdAt: '2019-05-14T17:00:00Z' }),
      makeDocument({ id: 'inside', createdAt: '2019-06-01T10:00:00+07:00' }),
      makeDocument({ id: 'at-end', createdAt: '2019-06-16T00:00:00+07:00' }),
    ];

    const report = computeReport(docs, makeOptions());

    expect(report.documents.total).toBe(2);
  });

  it('measures upload to arrival per delivered recipient, by nearest rank', () => {
    const uploadedAt = '2019-05-20T09:00:00+07:00';
    const minutesLater = (m: number) => new Date(Date.parse(uploadedAt) + m * 60_000).toISOString();
    const docs = [
      makeDocument({
        uploadedAt,
        recipients: [1, 2, 3, 4].map((m) => makeRecipient({ deliveredAt: minutesLater(m) })),
      }),
      makeDocument({
        uploadedAt,
        recipients: [
          makeRecipient({ deliveredAt: minutesLater(60) }),
          makeRecipient({ state: 'SENT', deliveredAt: undefined }),
          makeRecipient({ state: '02', deliveredAt: undefined, refusedAt: minutesLater(5) }),
        ],
      }),
      makeDocument({ uploadedAt: undefined, recipients: [makeRecipient()] }),
    ];

    const report = computeReport(docs, makeOptions());

    expect(report.latency).toEqual({
      method: 'nearest-rank',
      samples: 5,
      medianMs: 3 * 60_000,
      p95Ms: 60 * 60_000,
    });
  });

  it('writes the window and the generation time in +07:00', () => {
    const report = computeReport(
      [],
      makeOptions({ window: { from: '2019-05-14T17:00:00Z', to: '2019-06-15T17:00:00Z' } }),
    );

    expect(report.window).toEqual({
      from: '2019-05-15T00:00:00+07:00',
      to: '2019-06-16T00:00:00+07:00',
    });
    expect(report.generatedAt).toBe('2019-06-16T08:00:00+07:00');
  });

  it('refuses a window that ends before it starts', () => {
    const window = { from: '2019-06-16T00:00:00+07:00', to: '2019-05-15T00:00:00+07:00' };

    expect(() => computeReport([], makeOptions({ window }))).toThrow(RangeError);
  });

  it('shows an agency without a known name by its code', () => {
    const report = computeReport([], makeOptions({ agencyNames: { constructor: 'x' } }));

    expect(report.agencies.map((a) => a.name)).toEqual([PROVINCE_OFFICE, DEPT_IT, DEPT_HOME]);
  });
});

describe('renderReportCsv', () => {
  it('starts with a UTF-8 byte order mark and ends every record with CRLF', () => {
    const csv = renderReportCsv(computeReport([], makeOptions()));

    expect(csv.startsWith('\uFEFFsection,key,name,metric,value\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });

  it('quotes fields holding commas, quotes or line breaks so they read back intact', () => {
    const name = 'Sở "Nội vụ", tỉnh Quảng Ngãi\r\nphòng Văn thư\nlưu trữ';
    const report = computeReport(
      [makeDocument({ issuer: DEPT_HOME })],
      makeOptions({ agencyNames: { [DEPT_HOME]: name } }),
    );

    const records = readCsv(renderReportCsv(report).slice(1));
    const sent = records.find((r) => r[0] === 'agency' && r[1] === DEPT_HOME && r[3] === 'sent');

    expect(sent).toEqual(['agency', DEPT_HOME, name, 'sent', '1']);
    expect(records.every((r) => r.length === 5)).toBe(true);
  });

  it('follows RFC 4180 field by field', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(42)).toBe('42');
    expect(csvField(null)).toBe('');
  });

  it('keeps a spreadsheet from running a name as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-5)).toBe('-5');
  });

  it('holds the figures of the report, Vietnamese text included', () => {
    const report = computeReport([makeDocument()], makeOptions());

    const records = readCsv(renderReportCsv(report).slice(1));

    expect(records).toContainEqual(['report', '', '', 'window_from', '2019-05-15T00:00:00+07:00']);
    expect(records).toContainEqual(['documents', '', '', 'total', '1']);
    expect(records).toContainEqual(['status', 'ROUTED', 'Đã chuyển đi', 'documents', '1']);
    expect(records).toContainEqual(['latency', '', '', 'median_ms', '300000']);
    expect(records).toContainEqual(['silent_agency', DEPT_HOME, 'Sở Nội vụ', 'sent', '0']);
  });

  it('leaves latency empty when nothing was delivered', () => {
    const records = readCsv(renderReportCsv(computeReport([], makeOptions())).slice(1));

    expect(records).toContainEqual(['latency', '', '', 'p95_ms', '']);
  });
});

describe('renderReportHtml', () => {
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

  it('escapes a hostile agency name everywhere it appears', () => {
    const report = computeReport(
      [makeDocument({ issuer: DEPT_HOME })],
      makeOptions({ agencyNames: { [DEPT_HOME]: hostile, [DEPT_IT]: hostile }, title: hostile }),
    );

    const html = renderReportHtml(report);

    expect(report.silentAgencies).toContain(DEPT_IT);

    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img');
  });

  it('is a self-contained Vietnamese page: no script, no external resource', () => {
    const html = renderReportHtml(computeReport([makeDocument()], makeOptions()));

    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="vi">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|@import|url\(/i);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:/);
  });

  it('draws per-agency sent and received bars and the status breakdown as inline SVG', () => {
    const report = computeReport(
      [makeDocument(), makeDocument(), makeDocument({ status: 'REJECTED', recipients: [] })],
      makeOptions(),
    );

    const html = renderReportHtml(report);
    const charts = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

    expect(charts).toHaveLength(2);
    expect(charts[0]).toContain('Văn bản theo trạng thái');
    expect(charts[0]?.match(/class="rejected"/g)).toHaveLength(1);
    expect(charts[1]?.match(/class="sent"/g)).toHaveLength(report.agencies.length);
    expect(charts[1]?.match(/class="received"/g)).toHaveLength(report.agencies.length);
    expect(charts[1]).toContain('Văn phòng UBND tỉnh (000.00.01.H48)');
  });

  it('makes the longest bar the largest value', () => {
    const report = computeReport(
      [makeDocument(), makeDocument(), makeDocument({ issuer: DEPT_IT, recipients: [] })],
      makeOptions(),
    );

    const html = renderReportHtml(report);
    const widths = [...html.matchAll(/class="sent"[^>]*width="(\d+)"/g)].map((m) => Number(m[1]));

    expect(widths).toEqual([440, 220, 0]);
  });

  it('shows dates in Vietnam time with the +07:00 offset', () => {
    const html = renderReportHtml(computeReport([], makeOptions()));

    expect(html).toContain(
      'từ <time datetime="2019-05-15T00:00:00+07:00">15/05/2019 00:00 (UTC+07:00)</time>',
    );
    expect(html).toContain('16/06/2019 00:00 (UTC+07:00)');
    expect(html).toContain('Lập lúc <time datetime="2019-06-16T08:00:00+07:00">');
  });

  it('renders an empty window without failing', () => {
    const html = renderReportHtml(computeReport([], makeOptions()));

    expect(html).toContain('Trung vị: không có dữ liệu');
    expect(html).toContain('<li>Sở Nội vụ (000.00.03.H48)</li>');
  });

  it('lists an agency without a name by its code alone', () => {
    const html = renderReportHtml(computeReport([], makeOptions({ agencyNames: {} })));

    expect(html).toContain('<li>000.00.03.H48</li>');
  });

  it('escapes the five characters that matter in HTML', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
