import type { z } from 'zod';
import type { DownloadPresigner } from '../ports/download-presigner.ts';
import type { ReportLibrary } from '../ports/report-library.ts';
import type { RolloutOverview } from '../ports/rollout-overview.ts';
import { REPORTS_PREFIX } from '../rollout/phase-report.ts';
import { computeReport } from '../rollout/report.ts';
import type { ReportSource } from '../rollout/rollout-ports.ts';
import type { DocumentTypeCatalogue } from '../routing/catalogue.ts';
import type { AgencyDirectory } from '../routing/directory.ts';
import { DOCUMENT_STATUSES } from '../status/document-status.ts';
import {
  MAX_STATS_DAYS,
  REPORT_FORMATS,
  type RolloutView,
  reportListQuerySchema,
  type reportListSchema,
  reportPathSchema,
  type Stats,
  statsQuerySchema,
} from './api-schemas.ts';
import type { Caller } from './caller.ts';
import { parseRequest, requireAdmin } from './document-queries.ts';
import { InvalidRequestError, ReportNotFoundError, ReportsUnavailableError } from './errors.ts';

/** How long the link to a report stays valid. */
export const REPORT_LINK_SECONDS = 300;

/** Zone in which the figures' instants are written: the province's. */
export const STATS_TIMEZONE = 'Asia/Ho_Chi_Minh';

/** `GET /admin/rollout`: the policy routing applies now. */
export async function getRollout(
  deps: { readonly rollout: RolloutOverview },
  caller: Caller,
): Promise<RolloutView> {
  requireAdmin(caller);
  return deps.rollout.current();
}

export interface ReportDeps {
  /** Absent when the deployment gives the API no reports bucket: the routes answer 503. */
  readonly reports?: { readonly library: ReportLibrary; readonly presigner: DownloadPresigner };
}

const REPORT_KEY = /^reports\/([^/]+)\/([^/]+)\/([^/]+)$/;

/**
 * `GET /admin/reports`: the JSON, CSV and HTML reports the rollout wrote under
 * `reports/<scheduleId>/<phaseId>/`, in key order; objects of another layout are left out.
 */
export async function listReports(
  deps: ReportDeps,
  caller: Caller,
  query: unknown,
): Promise<z.infer<typeof reportListSchema>> {
  requireAdmin(caller);
  if (!deps.reports) throw new ReportsUnavailableError();
  const { scheduleId, limit, cursor } = parseRequest(reportListQuerySchema, query);
  const prefix = scheduleId === undefined ? REPORTS_PREFIX : `${REPORTS_PREFIX}${scheduleId}/`;
  const page = await deps.reports.library.list(prefix, {
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  });
  const items = page.objects.flatMap(({ key, size, lastModified }) => {
    const [, schedule = '', phase = '', file = ''] = REPORT_KEY.exec(key) ?? [];
    const path = reportPathSchema.safeParse({ scheduleId: schedule, phaseId: phase, file });
    if (!path.success) return [];
    const format = REPORT_FORMATS.find((f) => file.endsWith(`.${f}`));
    if (format === undefined) return [];
    return [
      {
        key,
        scheduleId: schedule,
        phaseId: phase,
        file,
        format,
        size,
        lastModified,
        href: `/admin/reports/${schedule}/${phase}/${file}`,
      },
    ];
  });
  return { items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
}

/** `GET /admin/reports/{scheduleId}/{phaseId}/{file}`: a five-minute link to one report. */
export async function getReportLink(
  deps: ReportDeps,
  caller: Caller,
  path: unknown,
): Promise<{ readonly url: string; readonly expiresSeconds: number }> {
  requireAdmin(caller);
  if (!deps.reports) throw new ReportsUnavailableError();
  const parsed = reportPathSchema.safeParse(path);
  // A path outside the report layout names no report: the same 404, without echoing it.
  if (!parsed.success) throw new ReportNotFoundError();
  const { scheduleId, phaseId, file } = parsed.data;
  const key = `${REPORTS_PREFIX}${scheduleId}/${phaseId}/${file}`;
  if (!(await deps.reports.library.exists(key))) throw new ReportNotFoundError(key);
  const url = await deps.reports.presigner.presignGet(key, {
    expiresSeconds: REPORT_LINK_SECONDS,
  });
  return { url, expiresSeconds: REPORT_LINK_SECONDS };
}

export interface StatsDeps {
  /** Bounded: says `complete: false` when it stopped reading early. */
  readonly source: ReportSource;
  readonly directory: AgencyDirectory;
  readonly catalogue: DocumentTypeCatalogue;
  readonly clock: { now(): Date };
}

const DAY_MS = 86_400_000;

/** Inclusive bounds (a date covers its whole UTC day) as the report's [from, to) window. */
function statsWindow(from: string, to: string): { from: string; to: string } {
  const start = Date.parse(from.length === 10 ? `${from}T00:00:00Z` : from);
  const end = to.length === 10 ? Date.parse(`${to}T00:00:00Z`) + DAY_MS : Date.parse(to) + 1;
  if (end <= start) {
    throw new InvalidRequestError([{ field: 'to', message: 'must not be before from' }]);
  }
  if (end - start > MAX_STATS_DAYS * DAY_MS) {
    throw new InvalidRequestError([
      { field: 'to', message: `the window spans at most ${MAX_STATS_DAYS} days` },
    ]);
  }
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/**
 * `GET /admin/stats`: the rollout report's figures (computeReport) over any window, grouped by
 * document status, agency or channel, with the rejections by reason and the delivery latency.
 * 1. The window is at most MAX_STATS_DAYS; dates cover whole UTC days, as in the lists.
 * 2. Documents come from the bounded report source: one issuer's through its index, or every
 *    document up to the source's read bound, in which case `complete` says so.
 * 3. Types without a routing decision yet count as paper-also unless the catalogue issues them
 *    electronically only.
 */
export async function getStats(deps: StatsDeps, caller: Caller, query: unknown): Promise<Stats> {
  requireAdmin(caller);
  const { from, to, groupBy, issuer } = parseRequest(statsQuerySchema, query);
  const window = statsWindow(from, to);
  const { documents, complete } = await deps.source.documentsCreated({
    window,
    issuers: issuer === undefined ? 'all' : [issuer],
    electronicOnlyTypes: deps.catalogue.types
      .filter((t) => t.issuanceForm === 'electronic-only')
      .map((t) => t.code),
  });
  const report = computeReport(documents, {
    window,
    timezone: STATS_TIMEZONE,
    generatedAt: deps.clock.now(),
    title: 'stats',
    enrolledAgencies: [],
    agencyNames: Object.fromEntries(deps.directory.agencies.map((a) => [a.code, a.name])),
  });
  const { byStatus, ...totals } = report.documents;
  const groups =
    groupBy === 'status'
      ? DOCUMENT_STATUSES.map((status) => ({ status, documents: byStatus[status] }))
      : groupBy === 'agency'
        ? report.agencies.map(({ agency, name, sent, received, refused }) => ({
            agency,
            name,
            sent,
            received,
            refused,
          }))
        : report.channels.map((c) => ({ ...c }));
  return {
    window: report.window,
    timezone: report.timezone,
    generatedAt: report.generatedAt,
    complete,
    documents: totals,
    rejectionsByReason: report.rejectionsByReason.map((r) => ({ ...r })),
    deliveries: { ...report.deliveries },
    latency: { ...report.latency },
    groupBy,
    groups,
  };
}
