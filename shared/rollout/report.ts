import { CHANNELS, type Channel } from '../routing/directory.ts';
import {
  type DeliveryState,
  DOCUMENT_STATUSES,
  type DocumentStatus,
} from '../status/document-status.ts';
import { toZonedIso } from './time.ts';

/** One recipient of a document as the status repository records it. */
export interface ReportRecipient {
  readonly agency: string;
  readonly channel: Channel;
  readonly state: DeliveryState;
  /** When the recipient's system first said the document arrived (edXML 01 or a later code). */
  readonly deliveredAt?: string;
  /** When the recipient returned it (edXML 02). */
  readonly refusedAt?: string;
}

/** The plain data a report needs about one document; the repository supplies it. */
export interface ReportDocument {
  readonly id: string;
  readonly issuer: string;
  /** Type code of the catalogue (`thong-bao`, `quyet-dinh`…). */
  readonly type: string;
  readonly status: DocumentStatus;
  /** Reason codes when `status` is REJECTED. */
  readonly rejectionReasons: readonly string[];
  /** True when the type is issued electronically and on paper, false when electronic only. */
  readonly paperCopyRequired: boolean;
  /** When the issuer announced the document; decides which window it belongs to. */
  readonly createdAt: string;
  readonly uploadedAt?: string;
  readonly recipients: readonly ReportRecipient[];
}

/** Start inclusive, end exclusive, as ISO 8601 instants. */
export interface ReportWindow {
  readonly from: string;
  readonly to: string;
}

export interface ReportOptions {
  readonly window: ReportWindow;
  /** Zone in which instants are written in the report, normally the schedule's. */
  readonly timezone: string;
  readonly generatedAt: Date;
  readonly title: string;
  readonly phaseId?: string;
  /** Agencies expected to send; the ones that sent nothing are listed. */
  readonly enrolledAgencies: readonly string[];
  /** Display names by agency code; a code without a name is shown as the code. */
  readonly agencyNames?: Readonly<Record<string, string>>;
}

export interface AgencyActivity {
  readonly agency: string;
  readonly name: string;
  /** Documents this agency issued in the window. */
  readonly sent: number;
  /** Deliveries to this agency that arrived (edXML 01 and later codes, 02 excepted). */
  readonly received: number;
  /** Deliveries to this agency that it returned (edXML 02). */
  readonly refused: number;
  /** Documents issued with at least one recipient on the channel. */
  readonly sentByChannel: Readonly<Record<Channel, number>>;
  readonly receivedByChannel: Readonly<Record<Channel, number>>;
}

export interface ChannelActivity {
  readonly channel: Channel;
  /** Documents with at least one recipient on this channel. */
  readonly documents: number;
  readonly deliveries: number;
  readonly delivered: number;
  readonly refused: number;
  readonly pending: number;
}

export interface RolloutReport {
  readonly title: string;
  readonly phaseId?: string;
  readonly timezone: string;
  /** Written in `timezone`, with its offset. */
  readonly window: ReportWindow;
  readonly generatedAt: string;
  readonly documents: {
    readonly total: number;
    readonly electronicOnly: number;
    readonly paperAlso: number;
    /** Passed verification and not rejected later: VERIFIED, COUNTERSIGNED or ROUTED now. */
    readonly verified: number;
    readonly rejected: number;
    readonly byStatus: Readonly<Record<DocumentStatus, number>>;
  };
  /** A document rejected for two reasons counts under both; `UNSPECIFIED` when none recorded. */
  readonly rejectionsByReason: readonly { readonly reason: string; readonly count: number }[];
  readonly deliveries: {
    readonly total: number;
    readonly delivered: number;
    readonly refused: number;
    readonly pending: number;
  };
  /**
   * Upload to arrival, per delivered recipient with both instants known. Percentiles by the
   * nearest-rank method: see percentileNearestRank. Null without samples.
   */
  readonly latency: {
    readonly method: 'nearest-rank';
    readonly samples: number;
    readonly medianMs: number | null;
    readonly p95Ms: number | null;
  };
  /** Every enrolled agency and every agency seen as issuer or recipient, by code. */
  readonly agencies: readonly AgencyActivity[];
  readonly channels: readonly ChannelActivity[];
  /** Enrolled agencies that issued no document in the window, by code. */
  readonly silentAgencies: readonly string[];
}

export type DeliveryOutcome = 'delivered' | 'refused' | 'pending';

/**
 * PENDING and SENT are ours; 02 is a refusal, and UNDELIVERABLE (no electronic channel in the
 * phase) counts with refusals since neither reached the recipient electronically; every other
 * edXML code means it arrived.
 */
export function deliveryOutcome(state: DeliveryState): DeliveryOutcome {
  if (state === '02' || state === 'UNDELIVERABLE') return 'refused';
  if (state === 'PENDING' || state === 'SENT') return 'pending';
  return 'delivered';
}

/**
 * The `p`-th percentile by the nearest-rank method: the smallest value such that at least `p`%
 * of the values are less or equal, i.e. the value at rank ⌈p/100 × n⌉ (1-based) of the sorted
 * values. It is always one of the observed values, never an interpolation; the median (p = 50) of
 * an even count is the lower of the two middle values. Undefined for no values.
 */
export function percentileNearestRank(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError('a percentile is above 0 and at most 100');
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const VERIFIED: readonly DocumentStatus[] = ['VERIFIED', 'COUNTERSIGNED', 'ROUTED'];

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

interface ChannelCounts {
  documents: number;
  deliveries: number;
  delivered: number;
  refused: number;
  pending: number;
}

interface MutableAgency {
  sent: number;
  received: number;
  refused: number;
  sentByChannel: Record<Channel, number>;
  receivedByChannel: Record<Channel, number>;
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function instant(value: string, what: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new RangeError(`${what} is not an instant: ${value}`);
  return t;
}

/**
 * The figures of one report window: documents whose `createdAt` lies in [from, to), with the
 * present state of their deliveries. Pure and deterministic: the clock is `generatedAt`.
 */
export function computeReport(
  documents: readonly ReportDocument[],
  options: ReportOptions,
): RolloutReport {
  const from = instant(options.window.from, 'window.from');
  const to = instant(options.window.to, 'window.to');
  if (to <= from) throw new RangeError('a report window ends after it starts');
  const inWindow = documents.filter((d) => {
    const t = instant(d.createdAt, `createdAt of ${d.id}`);
    return from <= t && t < to;
  });

  const agencies = new Map<string, MutableAgency>();
  const agency = (code: string): MutableAgency => {
    let entry = agencies.get(code);
    if (entry === undefined) {
      entry = {
        sent: 0,
        received: 0,
        refused: 0,
        sentByChannel: zeros(CHANNELS),
        receivedByChannel: zeros(CHANNELS),
      };
      agencies.set(code, entry);
    }
    return entry;
  };
  for (const code of options.enrolledAgencies) agency(code);

  const byStatus = zeros(DOCUMENT_STATUSES);
  const reasons = new Map<string, number>();
  const channels = new Map<Channel, ChannelCounts>(
    CHANNELS.map((c) => [c, { documents: 0, deliveries: 0, delivered: 0, refused: 0, pending: 0 }]),
  );
  const channel = (c: Channel): ChannelCounts => {
    const counts = channels.get(c);
    if (counts === undefined) throw new RangeError(`unknown channel ${c}`);
    return counts;
  };
  const deliveries = { total: 0, delivered: 0, refused: 0, pending: 0 };
  const latencies: number[] = [];

  for (const doc of inWindow) {
    byStatus[doc.status] += 1;
    if (doc.status === 'REJECTED') {
      const codes =
        doc.rejectionReasons.length > 0 ? new Set(doc.rejectionReasons) : ['UNSPECIFIED'];
      for (const code of codes) reasons.set(code, (reasons.get(code) ?? 0) + 1);
    }
    const issuer = agency(doc.issuer);
    issuer.sent += 1;
    const uploadedAt =
      doc.uploadedAt === undefined ? undefined : instant(doc.uploadedAt, `uploadedAt of ${doc.id}`);
    for (const c of new Set(doc.recipients.map((r) => r.channel))) {
      issuer.sentByChannel[c] += 1;
      channel(c).documents += 1;
    }
    for (const r of doc.recipients) {
      const outcome = deliveryOutcome(r.state);
      const recipient = agency(r.agency);
      const c = channel(r.channel);
      deliveries.total += 1;
      deliveries[outcome] += 1;
      c.deliveries += 1;
      c[outcome] += 1;
      if (outcome === 'refused') recipient.refused += 1;
      if (outcome === 'delivered') {
        recipient.received += 1;
        recipient.receivedByChannel[r.channel] += 1;
        if (uploadedAt !== undefined && r.deliveredAt !== undefined) {
          latencies.push(instant(r.deliveredAt, `deliveredAt of ${doc.id}`) - uploadedAt);
        }
      }
    }
  }

  const names = options.agencyNames ?? {};
  return {
    title: options.title,
    ...(options.phaseId === undefined ? {} : { phaseId: options.phaseId }),
    timezone: options.timezone,
    window: {
      from: toZonedIso(new Date(from), options.timezone),
      to: toZonedIso(new Date(to), options.timezone),
    },
    generatedAt: toZonedIso(options.generatedAt, options.timezone),
    documents: {
      total: inWindow.length,
      electronicOnly: inWindow.filter((d) => !d.paperCopyRequired).length,
      paperAlso: inWindow.filter((d) => d.paperCopyRequired).length,
      verified: inWindow.filter((d) => VERIFIED.includes(d.status)).length,
      rejected: byStatus.REJECTED,
      byStatus,
    },
    rejectionsByReason: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || byCode(a.reason, b.reason)),
    deliveries,
    latency: {
      method: 'nearest-rank',
      samples: latencies.length,
      medianMs: percentileNearestRank(latencies, 50) ?? null,
      p95Ms: percentileNearestRank(latencies, 95) ?? null,
    },
    agencies: [...agencies]
      .sort(([a], [b]) => byCode(a, b))
      .map(([code, a]) => ({
        agency: code,
        name: (Object.hasOwn(names, code) ? names[code] : undefined) ?? code,
        ...a,
      })),
    channels: CHANNELS.map((c) => ({ channel: c, ...channel(c) })),
    silentAgencies: [...new Set(options.enrolledAgencies)]
      .filter((code) => (agencies.get(code)?.sent ?? 0) === 0)
      .sort(byCode),
  };
}
