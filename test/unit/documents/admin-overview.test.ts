import { describe, expect, it } from 'vitest';
import { getStats } from '#shared/documents/admin-overview.ts';
import { AccessDeniedError, InvalidRequestError } from '#shared/documents/errors.ts';
import type { ReportDocument } from '#shared/rollout/report.ts';
import type { ReportQuery, ReportSource } from '#shared/rollout/rollout-ports.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';

const admin = { agency: '000.00.01.H48', role: 'admin' } as const;

function makeDocument(overrides: Partial<ReportDocument> = {}): ReportDocument {
  return {
    id: 'doc-1',
    issuer: '000.00.08.H48',
    type: 'cong-van',
    status: 'ROUTED',
    rejectionReasons: [],
    paperCopyRequired: false,
    createdAt: '2019-06-14T03:00:00.000Z',
    recipients: [{ agency: '000.00.00.H48', channel: 'province', state: '01' }],
    ...overrides,
  };
}

/** A ReportSource that remembers what it was asked and answers a fixed result. */
function makeSource(documents: readonly ReportDocument[], complete = true) {
  const queries: ReportQuery[] = [];
  const source: ReportSource = {
    documentsCreated: async (query) => {
      queries.push(query);
      return { documents, complete };
    },
  };
  return { source, queries };
}

const deps = (source: ReportSource) => ({
  source,
  directory: QUANG_NGAI_DIRECTORY,
  catalogue: SEED_DOCUMENT_TYPES,
  clock: { now: () => new Date('2019-07-01T00:00:00Z') },
});

describe('getStats', () => {
  it('passes on that the source stopped early', async () => {
    const { source } = makeSource([makeDocument()], false);

    const stats = await getStats(deps(source), admin, { from: '2019-06-01', to: '2019-06-30' });

    expect(stats.complete).toBe(false);
    expect(stats.documents.total).toBe(1);
  });

  it('reads every issuer, or the one asked for, with the catalogue’s electronic-only types', async () => {
    const { source, queries } = makeSource([]);

    await getStats(deps(source), admin, { from: '2019-06-01', to: '2019-06-30' });
    await getStats(deps(source), admin, {
      from: '2019-06-01',
      to: '2019-06-30',
      issuer: '000.00.08.H48',
    });

    expect(queries.map((q) => q.issuers)).toEqual(['all', ['000.00.08.H48']]);
    expect(queries[0]?.electronicOnlyTypes).toContain('cong-van');
    expect(queries[0]?.electronicOnlyTypes).not.toContain('quyet-dinh');
  });

  it('takes a date bound as its whole UTC day and an instant bound inclusively', async () => {
    const { source, queries } = makeSource([
      makeDocument({ id: 'at-end', createdAt: '2019-06-30T10:00:00.000Z' }),
    ]);

    const byDate = await getStats(deps(source), admin, { from: '2019-06-01', to: '2019-06-30' });
    const byInstant = await getStats(deps(source), admin, {
      from: '2019-06-01T00:00:00Z',
      to: '2019-06-30T10:00:00Z',
    });

    expect(queries[0]?.window).toEqual({
      from: '2019-06-01T00:00:00.000Z',
      to: '2019-07-01T00:00:00.000Z',
    });
    expect(byDate.documents.total).toBe(1);
    expect(byInstant.documents.total).toBe(1);
  });

  it('groups deliveries by channel', async () => {
    const { source } = makeSource([
      makeDocument({
        recipients: [
          { agency: '000.00.00.H48', channel: 'province', state: '01' },
          { agency: '000.00.00.G01', channel: 'national-axis', state: 'SENT' },
        ],
      }),
    ]);

    const stats = await getStats(deps(source), admin, {
      from: '2019-06-01',
      to: '2019-06-30',
      groupBy: 'channel',
    });

    expect(stats.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'province', deliveries: 1, delivered: 1 }),
        expect.objectContaining({ channel: 'national-axis', deliveries: 1, pending: 1 }),
      ]),
    );
  });

  it('counts rejections by reason and the upload-to-arrival latency, as the report does', async () => {
    const uploadedAt = '2019-06-14T03:00:00.000Z';
    const delivered = (agency: string, deliveredAt: string) =>
      ({ agency, channel: 'province', state: '01', deliveredAt }) as const;
    const { source } = makeSource([
      makeDocument({ id: 'r-1', status: 'REJECTED', rejectionReasons: ['HASH_MISMATCH'] }),
      makeDocument({
        id: 'r-2',
        status: 'REJECTED',
        rejectionReasons: ['HASH_MISMATCH', 'NO_ORGANIZATION_KEY'],
      }),
      makeDocument({ id: 'r-3', status: 'REJECTED', rejectionReasons: [] }),
      makeDocument({
        id: 'ok',
        uploadedAt,
        recipients: [
          delivered('000.00.00.H48', '2019-06-14T03:01:00.000Z'),
          delivered('000.00.02.H48', '2019-06-14T03:03:00.000Z'),
          delivered('000.00.03.H48', '2019-06-14T03:10:00.000Z'),
        ],
      }),
    ]);

    const stats = await getStats(deps(source), admin, { from: '2019-06-01', to: '2019-06-30' });

    expect(stats.rejectionsByReason).toEqual([
      { reason: 'HASH_MISMATCH', count: 2 },
      { reason: 'NO_ORGANIZATION_KEY', count: 1 },
      { reason: 'UNSPECIFIED', count: 1 },
    ]);
    expect(stats.latency).toEqual({
      method: 'nearest-rank',
      samples: 3,
      medianMs: 180_000,
      p95Ms: 600_000,
    });
  });

  it('gives null latency percentiles when nothing has arrived', async () => {
    const { source } = makeSource([makeDocument({ recipients: [] })]);

    const stats = await getStats(deps(source), admin, { from: '2019-06-01', to: '2019-06-30' });

    expect(stats.rejectionsByReason).toEqual([]);
    expect(stats.latency).toEqual({
      method: 'nearest-rank',
      samples: 0,
      medianMs: null,
      p95Ms: null,
    });
  });

  it('refuses agencies before reading anything, and windows over 366 days', async () => {
    const { source, queries } = makeSource([]);

    await expect(
      getStats(deps(source), { agency: '000.00.08.H48', role: 'agency' }, {}),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(
      getStats(deps(source), admin, { from: '2018-01-01', to: '2019-01-02' }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    expect(queries).toEqual([]);
  });
});
