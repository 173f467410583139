import { useMemo } from 'preact/hooks';
import {
  type AdminRequest,
  adminRequest,
  type DashboardStats,
  dashboardStats,
} from '../../admin-api.ts';
import type { Agency, PendingApproval, RolloutView } from '../../api.ts';
import { ApiError } from '../../api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { BarChart } from '../../components/bar-chart.tsx';
import { ColumnChart } from '../../components/charts/column-chart.tsx';
import { GroupedBarChart } from '../../components/charts/grouped-bar-chart.tsx';
import { agencyName, useWorkspace } from '../../context.ts';
import { isMessageKey, useI18n } from '../../i18n.ts';
import type { AdminTranslate } from '../../i18n-admin.ts';
import { isAdminMessageKey } from '../../i18n-admin.ts';
import { useAsync } from '../../use-async.ts';
import { useAdminT } from './use-admin-t.ts';

/** Days the dashboard covers, today (UTC) included. */
export const DASHBOARD_DAYS = 14;
/** Per-day figures are one stats call per day; at most this many run at once. */
const DAY_CONCURRENCY = 4;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The UTC dates of the window, oldest first, ending with `today`'s. */
export function windowDays(today: Date, days = DASHBOARD_DAYS): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: days }, (_, i) =>
    new Date(end - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) out[i] = await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface WindowStats {
  readonly byStatus: DashboardStats;
  readonly byAgency: DashboardStats;
  readonly byChannel: DashboardStats;
}

async function loadWindowStats(request: AdminRequest, days: readonly string[]) {
  const from = days[0] ?? '';
  const to = days[days.length - 1] ?? '';
  const [byStatus, byAgency, byChannel] = await Promise.all(
    (['status', 'agency', 'channel'] as const).map((groupBy) =>
      dashboardStats(request, { from, to, groupBy }),
    ),
  );
  if (!byStatus || !byAgency || !byChannel) throw new Error('stats missing');
  return { byStatus, byAgency, byChannel } satisfies WindowStats;
}

/** Pending approvals for their deadlines; a deployment without a rollout machine has none. */
async function loadDeadlines(
  list: () => Promise<{ items: PendingApproval[] }>,
): Promise<PendingApproval[]> {
  try {
    return (await list()).items;
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) return [];
    throw error;
  }
}

/**
 * The administrator's overview: the rollout phase in force and its deadlines, then the last
 * fortnight's figures as charts, and the enrolled issuing agencies that sent nothing.
 */
export function AdminDashboard() {
  const workspace = useWorkspace();
  const { api } = workspace;
  const at = useAdminT();
  const request = useMemo(() => adminRequest(workspace), [workspace]);
  const days = useMemo(() => windowDays(new Date()), []);

  const rollout = useAsync(() => Promise.all([api.rollout(), loadDeadlines(api.approvals)]), [api]);
  const stats = useAsync(() => loadWindowStats(request, days), [request, days]);
  const perDay = useAsync(
    () =>
      mapLimited(days, DAY_CONCURRENCY, async (day) => {
        const s = await dashboardStats(request, { from: day, to: day, groupBy: 'status' });
        return { day, documents: s.documents.total };
      }),
    [request, days],
  );

  return (
    <section aria-labelledby="dashboard-title" class="admin-dashboard">
      <h2 id="dashboard-title">{at('dashTitle')}</h2>
      <AsyncView state={rollout.state} reload={rollout.reload}>
        {([view, pending]) => <RolloutPanel view={view} pending={pending} />}
      </AsyncView>
      <p>
        {at('dashWindow', {
          days: days.length,
          from: days[0] ?? '',
          to: days[days.length - 1] ?? '',
        })}
      </p>
      <AsyncView state={stats.state} reload={stats.reload}>
        {(value) => <Totals stats={value.byStatus} />}
      </AsyncView>
      <AsyncView state={perDay.state} reload={perDay.reload}>
        {(value) => (
          <ColumnChart
            title={at('dashPerDay')}
            columns={value.map(({ day, documents }) => ({
              label: `${day.slice(8, 10)}/${day.slice(5, 7)}`,
              longLabel: day,
              value: documents,
            }))}
          />
        )}
      </AsyncView>
      <AsyncView state={stats.state} reload={stats.reload}>
        {(value) => (
          <StatsCharts
            stats={value}
            rollout={rollout.state.kind === 'ready' ? rollout.state.value[0] : undefined}
          />
        )}
      </AsyncView>
    </section>
  );
}

function RolloutPanel({ view, pending }: { view: RolloutView; pending: PendingApproval[] }) {
  const { agencies } = useWorkspace();
  const { formatTime } = useI18n();
  const at = useAdminT();
  const { policy } = view;
  return (
    <article aria-labelledby="phase-title">
      <header>
        <h3 id="phase-title">{at('dashPhase', { phase: view.phaseId })}</h3>
        <p>
          {view.source === 'schedule'
            ? at('dashSourceSchedule', { schedule: view.scheduleId })
            : at('dashSourceDefault')}
        </p>
      </header>
      <dl>
        {view.source === 'schedule' ? (
          <>
            <dt>{at('dashFrom')}</dt>
            <dd>{formatTime(view.effectiveFrom)}</dd>
            <dt>{at('dashTo')}</dt>
            <dd>
              {view.effectiveTo === null ? at('dashOpenEnded') : formatTime(view.effectiveTo)}
            </dd>
          </>
        ) : null}
        <dt>{at('dashChannels')}</dt>
        <dd>{policy.channelsOpen.map((c) => channelLabel(at, c)).join(', ')}</dd>
        <dt>{at('dashEnrolled')}</dt>
        <dd>
          {policy.enrolledAgencies === 'all' ? (
            at('dashEnrolledAll')
          ) : (
            <details>
              <summary>
                {at('dashEnrolledCount', { count: policy.enrolledAgencies.length })}
              </summary>
              <ul>
                {policy.enrolledAgencies.map((code) => (
                  <li key={code}>{agencyName(agencies, code)}</li>
                ))}
              </ul>
            </details>
          )}
        </dd>
      </dl>
      <h4>{at('dashDeadlines')}</h4>
      {pending.length === 0 ? (
        <p>{at('dashNoDeadlines')}</p>
      ) : (
        <ul>
          {pending.map((p) => (
            <li key={p.phaseId}>
              <a href="#/admin/approvals">
                {at('dashDeadlineItem', {
                  title: p.title,
                  deadline: formatTime(p.window.deadline),
                })}
              </a>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function Totals({ stats }: { stats: DashboardStats }) {
  const at = useAdminT();
  const figures = [
    ['dashDocuments', stats.documents.total],
    ['dashVerified', stats.documents.verified],
    ['dashRejected', stats.documents.rejected],
    ['dashDeliveries', stats.deliveries.total],
    ['dashDelivered', stats.deliveries.delivered],
    ['dashRefused', stats.deliveries.refused],
    ['dashPending', stats.deliveries.pending],
  ] as const;
  return (
    <section aria-labelledby="totals-title">
      <h3 id="totals-title">{at('dashTotals')}</h3>
      {stats.complete ? null : <p role="status">{at('dashIncomplete')}</p>}
      <dl class="figures">
        {figures.map(([key, value]) => (
          <div key={key}>
            <dt>{at(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const channelLabel = (at: AdminTranslate, channel: string) => {
  const key = `channel_${channel}`;
  return isAdminMessageKey(key) ? at(key) : channel;
};

/** Enrolled issuing agencies (or every issuing one, when all are enrolled) with nothing sent. */
export function silentAgencies(
  agencies: readonly Agency[],
  sentByAgency: ReadonlyMap<string, number>,
  enrolled: 'all' | readonly string[] | undefined,
): Agency[] {
  return agencies.filter(
    (a) =>
      a.issues &&
      (enrolled === undefined || enrolled === 'all' || enrolled.includes(a.code)) &&
      (sentByAgency.get(a.code) ?? 0) === 0,
  );
}

function StatsCharts({ stats, rollout }: { stats: WindowStats; rollout: RolloutView | undefined }) {
  const { agencies } = useWorkspace();
  const { t } = useI18n();
  const at = useAdminT();
  const { byStatus, byAgency, byChannel } = stats;
  const label = (key: string, fallback: string) => (isMessageKey(key) ? t(key) : fallback);

  const statusBars = byStatus.groups.flatMap((g) =>
    'status' in g
      ? [
          {
            label: label(`status_${g.status}`, g.status),
            value: g.documents,
          },
        ]
      : [],
  );
  const agencyGroups = byAgency.groups.flatMap((g) => ('agency' in g ? [g] : []));
  const channelBars = byChannel.groups.flatMap((g) =>
    'channel' in g ? [{ label: channelLabel(at, g.channel), value: g.deliveries }] : [],
  );
  const sent = new Map(agencyGroups.map((g) => [g.agency, g.sent]));
  const silent = silentAgencies(agencies, sent, rollout?.policy.enrolledAgencies);
  const reasons = byStatus.rejectionsByReason;
  const latency = byStatus.latency;

  return (
    <>
      <div class="grid">
        <BarChart title={at('dashByStatus')} bars={statusBars} />
        <BarChart title={at('dashByChannel')} bars={channelBars} />
      </div>
      <GroupedBarChart
        title={at('dashPerAgency')}
        series={[
          { key: 'sent', label: at('dashSent') },
          { key: 'received', label: at('dashReceived') },
          { key: 'refused', label: at('dashRefused') },
        ]}
        groups={agencyGroups.map((g) => ({
          label: g.name,
          values: [g.sent, g.received, g.refused],
        }))}
      />
      <section aria-labelledby="reasons-title">
        <h3 id="reasons-title">{at('dashReasons')}</h3>
        {reasons.length === 0 ? (
          <p>{at('dashNoRejections')}</p>
        ) : (
          <BarChart
            title={at('dashReasons')}
            bars={reasons.map((r) => ({
              label: label(`reason_${r.reason}`, r.reason),
              value: r.count,
            }))}
          />
        )}
      </section>
      <section aria-labelledby="latency-title">
        <h3 id="latency-title">{at('dashLatency')}</h3>
        {latency.medianMs === null || latency.p95Ms === null ? (
          <p>{at('dashLatencyNone')}</p>
        ) : (
          <>
            <BarChart
              title={at('dashLatency')}
              bars={[
                { label: at('dashLatencyMedian'), value: hours(latency.medianMs) },
                { label: at('dashLatencyP95'), value: hours(latency.p95Ms) },
              ]}
            />
            <p>{at('dashLatencySamples', { count: latency.samples })}</p>
          </>
        )}
      </section>
      <section aria-labelledby="silent-title">
        <h3 id="silent-title">{at('dashSilent')}</h3>
        <p>{at('dashSilentHint')}</p>
        {silent.length === 0 ? (
          <p>{at('dashNoSilent')}</p>
        ) : (
          <ul>
            {silent.map((a) => (
              <li key={a.code}>
                {a.name} <small>{a.code}</small>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** Hours with one decimal, for the latency chart. */
const hours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;
