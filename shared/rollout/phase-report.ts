import { computeReport } from './report.ts';
import { renderReportCsv } from './report-csv.ts';
import { renderReportHtml } from './report-html.ts';
import type { ReportArchive, ReportSource, RolloutClock } from './rollout-ports.ts';
import { windowAfterExtensions } from './state-machine-input.ts';
import type { PhaseReportResult, PhaseReportTask, ReportKeys } from './tasks.ts';

/** Prefix of every object the report task writes; the function may write nothing else. */
export const REPORTS_PREFIX = 'reports/';

/**
 * `reports/<scheduleId>/<phaseId>/report.json` for the planned window and
 * `…/report-extension-<n>.json` after n extensions, so a regenerated report never replaces the
 * one the approver rejected.
 */
export function reportKeys(scheduleId: string, phaseId: string, extensions: number): ReportKeys {
  const base = `${REPORTS_PREFIX}${scheduleId}/${phaseId}/report${extensions === 0 ? '' : `-extension-${extensions}`}`;
  return { json: `${base}.json`, csv: `${base}.csv`, html: `${base}.html` };
}

/**
 * Writes the report of one phase window in JSON (for machines), CSV (for spreadsheets) and HTML
 * (for people).
 *
 * 1. The window is the planned one, moved later by each extension granted so far.
 * 2. Documents come from the source: the enrolled issuers' documents, or all of them.
 * 3. The figures are computed with the schedule's time zone and rendered three ways.
 * 4. The keys go back to the state machine, which hands them to the approval task.
 */
export async function generatePhaseReport(
  deps: {
    readonly source: ReportSource;
    readonly reports: ReportArchive;
    readonly clock: RolloutClock;
  },
  task: PhaseReportTask,
): Promise<PhaseReportResult> {
  const extensions = task.extension.count;
  const window = windowAfterExtensions(task, extensions);
  const enrolled = task.policy.enrolledAgencies;
  const { documents, complete } = await deps.source.documentsCreated({
    window,
    issuers: enrolled,
    electronicOnlyTypes: task.policy.electronicOnlyTypes,
  });
  const report = computeReport(documents, {
    window,
    timezone: task.timezone,
    generatedAt: deps.clock.now(),
    title: task.title,
    phaseId: task.phaseId,
    // With every agency enrolled the list of expected senders lives in the directory, not here.
    enrolledAgencies: enrolled === 'all' ? [] : enrolled,
  });
  const keys = reportKeys(task.scheduleId, task.phaseId, extensions);
  const json = { scheduleId: task.scheduleId, extensions, complete, report };
  await deps.reports.put(keys.json, Buffer.from(JSON.stringify(json, null, 2), 'utf8'), {
    contentType: 'application/json; charset=utf-8',
  });
  await deps.reports.put(keys.csv, Buffer.from(renderReportCsv(report), 'utf8'), {
    contentType: 'text/csv; charset=utf-8',
  });
  await deps.reports.put(keys.html, Buffer.from(renderReportHtml(report), 'utf8'), {
    contentType: 'text/html; charset=utf-8',
  });
  return {
    extensions,
    window: { from: window.from, to: window.to, deadline: window.deadline },
    keys,
    documents: report.documents.total,
    complete,
  };
}
