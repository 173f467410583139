import { CHANNELS } from '../routing/directory.ts';
import { DOCUMENT_STATUSES } from '../status/document-status.ts';
import { CHANNEL_LABELS, STATUS_LABELS } from './labels.ts';
import type { RolloutReport } from './report.ts';

type Cell = string | number | null;
type Row = readonly [section: string, key: string, name: string, metric: string, value: Cell];

const HEADER: Row = ['section', 'key', 'name', 'metric', 'value'];

/**
 * Spreadsheets run a cell starting with `=`, `+`, `-` or `@` as a formula, so a hostile agency
 * name could; such text gets a leading apostrophe (OWASP's advice). Numbers are left alone.
 */
function neutralize(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field holding a comma, quote or line break is quoted, inner quotes doubled. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? String(cell) : neutralize(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function rows(report: RolloutReport): Row[] {
  const names = new Map(report.agencies.map((a) => [a.agency, a.name]));
  const out: Row[] = [
    ['report', '', '', 'title', report.title],
    ['report', '', '', 'phase', report.phaseId ?? null],
    ['report', '', '', 'timezone', report.timezone],
    ['report', '', '', 'window_from', report.window.from],
    ['report', '', '', 'window_to', report.window.to],
    ['report', '', '', 'generated_at', report.generatedAt],
    ['documents', '', '', 'total', report.documents.total],
    ['documents', '', '', 'electronic_only', report.documents.electronicOnly],
    ['documents', '', '', 'paper_also', report.documents.paperAlso],
    ['documents', '', '', 'verified', report.documents.verified],
    ['documents', '', '', 'rejected', report.documents.rejected],
  ];
  for (const status of DOCUMENT_STATUSES) {
    out.push([
      'status',
      status,
      STATUS_LABELS[status],
      'documents',
      report.documents.byStatus[status],
    ]);
  }
  for (const r of report.rejectionsByReason)
    out.push(['rejection', r.reason, '', 'documents', r.count]);
  for (const [metric, value] of Object.entries(report.deliveries)) {
    out.push(['deliveries', '', '', metric, value]);
  }
  out.push(
    ['latency', '', '', 'method', report.latency.method],
    ['latency', '', '', 'samples', report.latency.samples],
    ['latency', '', '', 'median_ms', report.latency.medianMs],
    ['latency', '', '', 'p95_ms', report.latency.p95Ms],
  );
  for (const c of report.channels) {
    const label = CHANNEL_LABELS[c.channel];
    out.push(
      ['channel', c.channel, label, 'documents', c.documents],
      ['channel', c.channel, label, 'deliveries', c.deliveries],
      ['channel', c.channel, label, 'delivered', c.delivered],
      ['channel', c.channel, label, 'refused', c.refused],
      ['channel', c.channel, label, 'pending', c.pending],
    );
  }
  for (const a of report.agencies) {
    out.push(
      ['agency', a.agency, a.name, 'sent', a.sent],
      ['agency', a.agency, a.name, 'received', a.received],
      ['agency', a.agency, a.name, 'refused', a.refused],
    );
    for (const c of CHANNELS) {
      out.push(['agency', a.agency, a.name, `sent_${c}`, a.sentByChannel[c]]);
      out.push(['agency', a.agency, a.name, `received_${c}`, a.receivedByChannel[c]]);
    }
  }
  for (const code of report.silentAgencies) {
    out.push(['silent_agency', code, names.get(code) ?? code, 'sent', 0]);
  }
  return out;
}

/**
 * The report as one CSV table in long form (`section,key,name,metric,value`), so every figure
 * is a row that a spreadsheet can filter or pivot. RFC 4180: CRLF line ends, quoted fields where
 * needed. It starts with a UTF-8 byte order mark, because Excel reads a CSV without one in the
 * legacy code page and garbles Vietnamese; write the string as UTF-8. Instants keep the offset
 * of the report's time zone; empty values (no phase, no latency samples) are empty fields.
 */
export function renderReportCsv(report: RolloutReport): string {
  const lines = [HEADER, ...rows(report)].map((row) => row.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
