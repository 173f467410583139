import { DOCUMENT_STATUSES } from '../status/document-status.ts';
import { CHANNEL_LABELS, STATUS_LABELS } from './labels.ts';
import type { RolloutReport } from './report.ts';
import { formatDurationVi, formatVietnamese } from './time.ts';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const number = new Intl.NumberFormat('vi-VN');
const n = (value: number) => number.format(value);

interface Bar {
  readonly value: number;
  readonly className: string;
  readonly label: string;
}

interface ChartRow {
  readonly label: string;
  readonly bars: readonly Bar[];
}

const CHART = { width: 760, labelWidth: 260, valueWidth: 60, bar: 14, gap: 10 } as const;
const LABEL_CHARS = 38;

/** A horizontal bar chart drawn as inline SVG: no script, no external resource. */
function barChart(title: string, rows: readonly ChartRow[]): string {
  const max = Math.max(1, ...rows.flatMap((r) => r.bars.map((b) => b.value)));
  const area = CHART.width - CHART.labelWidth - CHART.valueWidth;
  let y = CHART.gap;
  const parts: string[] = [];
  for (const row of rows) {
    const height = row.bars.length * CHART.bar;
    const chars = Array.from(row.label);
    const short =
      chars.length > LABEL_CHARS ? `${chars.slice(0, LABEL_CHARS - 1).join('')}…` : row.label;
    parts.push(
      `<text x="${CHART.labelWidth - 8}" y="${y + height / 2}" text-anchor="end" dominant-baseline="middle"><title>${escapeHtml(row.label)}</title>${escapeHtml(short)}</text>`,
    );
    row.bars.forEach((bar, i) => {
      const top = y + i * CHART.bar;
      const width = Math.round((bar.value / max) * area);
      parts.push(
        `<rect class="${escapeHtml(bar.className)}" x="${CHART.labelWidth}" y="${top + 1}" width="${width}" height="${CHART.bar - 2}"><title>${escapeHtml(`${bar.label}: ${n(bar.value)}`)}</title></rect>`,
        `<text x="${CHART.labelWidth + width + 4}" y="${top + CHART.bar / 2}" dominant-baseline="middle">${n(bar.value)}</text>`,
      );
    });
    y += height + CHART.gap;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${CHART.width}" height="${y}" viewBox="0 0 ${CHART.width} ${y}" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

const agencyLabel = (code: string, name: string) => (name === code ? code : `${name} (${code})`);

const row = (cells: readonly string[], header = false) =>
  `<tr>${cells.map((c) => (header ? `<th>${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`;

const table = (head: readonly string[], body: readonly (readonly string[])[]) =>
  `<table><thead>${row(head.map(escapeHtml), true)}</thead><tbody>${body
    .map((cells) => row(cells))
    .join('')}</tbody></table>`;

const STYLE = `body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
svg text{font-size:12px;fill:#1f2328}.sent{fill:#0969da}.received{fill:#1a7f37}
.status{fill:#57606a}.rejected{fill:#cf222e}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}
.legend .sent{background:#0969da}.legend .received{background:#1a7f37}`;

/**
 * The report as one self-contained HTML page for people: no script, no stylesheet or font from
 * elsewhere (a Content-Security-Policy forbids loading anything), charts as inline SVG, every
 * piece of data HTML-escaped. Instants are shown in the report's time zone with its offset.
 */
export function renderReportHtml(report: RolloutReport): string {
  const when = (iso: string) => escapeHtml(formatVietnamese(new Date(iso), report.timezone));
  const d = report.documents;
  const latency = (ms: number | null) => (ms === null ? 'không có dữ liệu' : formatDurationVi(ms));

  const summary = table(
    ['Chỉ tiêu', 'Số lượng'],
    [
      ['Tổng số văn bản', n(d.total)],
      ['Chỉ phát hành bản điện tử', n(d.electronicOnly)],
      ['Phát hành bản điện tử kèm bản giấy', n(d.paperAlso)],
      ['Đã xác thực chữ ký số', n(d.verified)],
      ['Bị từ chối', n(d.rejected)],
      ['Lượt gửi đến nơi nhận', n(report.deliveries.total)],
      ['Đã đến nơi nhận', n(report.deliveries.delivered)],
      ['Bị nơi nhận trả lại (mã 02)', n(report.deliveries.refused)],
      ['Đang chờ chuyển', n(report.deliveries.pending)],
    ],
  );

  const statusChart = barChart(
    'Văn bản theo trạng thái',
    DOCUMENT_STATUSES.map((s) => ({
      label: STATUS_LABELS[s],
      bars: [
        {
          value: d.byStatus[s],
          className: s === 'REJECTED' ? 'rejected' : 'status',
          label: STATUS_LABELS[s],
        },
      ],
    })),
  );

  const reasons =
    report.rejectionsByReason.length === 0
      ? '<p>Không có văn bản bị từ chối.</p>'
      : table(
          ['Mã lý do', 'Số văn bản'],
          report.rejectionsByReason.map((r) => [escapeHtml(r.reason), n(r.count)]),
        );

  const channels = table(
    ['Kênh', 'Văn bản', 'Lượt gửi', 'Đã đến', 'Bị trả lại', 'Đang chờ'],
    report.channels.map((c) => [
      escapeHtml(CHANNEL_LABELS[c.channel]),
      n(c.documents),
      n(c.deliveries),
      n(c.delivered),
      n(c.refused),
      n(c.pending),
    ]),
  );

  const agencyChart =
    report.agencies.length === 0
      ? ''
      : barChart(
          'Văn bản đã gửi và đã nhận theo cơ quan',
          report.agencies.map((a) => ({
            label: agencyLabel(a.agency, a.name),
            bars: [
              { value: a.sent, className: 'sent', label: 'Đã gửi' },
              { value: a.received, className: 'received', label: 'Đã nhận' },
            ],
          })),
        );

  const agencies =
    report.agencies.length === 0
      ? '<p>Không có cơ quan nào.</p>'
      : table(
          ['Mã định danh', 'Cơ quan', 'Đã gửi', 'Đã nhận', 'Đã trả lại (mã 02)'],
          report.agencies.map((a) => [
            escapeHtml(a.agency),
            escapeHtml(a.name),
            n(a.sent),
            n(a.received),
            n(a.refused),
          ]),
        );

  const names = new Map(report.agencies.map((a) => [a.agency, a.name]));
  const silent =
    report.silentAgencies.length === 0
      ? '<p>Mọi cơ quan tham gia đều đã gửi văn bản.</p>'
      : `<ul>${report.silentAgencies
          .map((code) => `<li>${escapeHtml(agencyLabel(code, names.get(code) ?? code))}</li>`)
          .join('')}</ul>`;

  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
${report.phaseId === undefined ? '' : `<p>Giai đoạn: ${escapeHtml(report.phaseId)}</p>\n`}<p>Kỳ báo cáo: từ <time datetime="${escapeHtml(report.window.from)}">${when(report.window.from)}</time> đến trước <time datetime="${escapeHtml(report.window.to)}">${when(report.window.to)}</time></p>
<p>Lập lúc <time datetime="${escapeHtml(report.generatedAt)}">${when(report.generatedAt)}</time></p>
<h2>Tổng hợp</h2>
${summary}
<h2>Văn bản theo trạng thái</h2>
${statusChart}
<h2>Lý do từ chối</h2>
${reasons}
<h2>Thời gian từ khi tải lên đến khi đến nơi nhận</h2>
<p>Trung vị: ${escapeHtml(latency(report.latency.medianMs))}; phân vị 95: ${escapeHtml(latency(report.latency.p95Ms))} (${n(report.latency.samples)} lượt; phương pháp hạng gần nhất).</p>
<h2>Theo kênh</h2>
${channels}
<h2>Theo cơ quan</h2>
<p class="legend"><span class="sent"></span>Đã gửi<span class="received"></span>Đã nhận</p>
${agencyChart}
${agencies}
<h2>Cơ quan chưa gửi văn bản nào</h2>
${silent}
</body>
</html>
`;
}
