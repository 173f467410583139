import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPhasePolicy, PolicySupersededError } from '#shared/rollout/apply-phase-policy.ts';
import { generatePhaseReport, reportKeys } from '#shared/rollout/phase-report.ts';
import type { ReportDocument } from '#shared/rollout/report.ts';
import { ApprovalAlreadyPendingError, requestApproval } from '#shared/rollout/request-approval.ts';
import type { PendingApproval, PolicyRecord, ReportQuery } from '#shared/rollout/rollout-ports.ts';
import { parseSchedule } from '#shared/rollout/schedule.ts';
import { stateMachineInput } from '#shared/rollout/state-machine-input.ts';
import {
  applyPolicyTaskSchema,
  approvalDecisionSchema,
  approvalRequestTaskSchema,
  type PhaseReportTask,
  phaseReportTaskSchema,
} from '#shared/rollout/tasks.ts';

const scheduleFile = path.resolve(
  import.meta.dirname,
  '../../../shared/rollout/schedules/quang-ngai-2019.json',
);
const input = () =>
  stateMachineInput(parseSchedule(JSON.parse(readFileSync(scheduleFile, 'utf8'))));
const clock = { now: () => new Date('2019-05-12T02:00:00Z') };

/** What the state machine's ItemSelector builds for phase `index`. */
function makeIteration(index: number, extensions = 0): Record<string, unknown> {
  const all = input();
  const phase = all.phases[index];
  if (phase === undefined) throw new RangeError(`no phase ${index}`);
  return {
    scheduleId: all.scheduleId,
    timezone: all.timezone,
    ...phase,
    extension: { count: extensions },
  };
}

function makeReportTask(index = 0, extensions = 0): PhaseReportTask {
  return phaseReportTaskSchema.parse(makeIteration(index, extensions));
}

function makeDocument(overrides: Partial<ReportDocument> = {}): ReportDocument {
  return {
    id: 'doc-1',
    issuer: '000.00.01.H48',
    type: 'TB',
    status: 'ROUTED',
    rejectionReasons: [],
    paperCopyRequired: false,
    createdAt: '2019-04-26T01:00:00.000Z',
    recipients: [],
    ...overrides,
  };
}

function makeReportPorts(documents: ReportDocument[] = []) {
  const queries: ReportQuery[] = [];
  const objects = new Map<string, { body: string; contentType: string }>();
  return {
    queries,
    objects,
    deps: {
      clock,
      source: {
        documentsCreated: async (query: ReportQuery) => {
          queries.push(query);
          return { documents, complete: true };
        },
      },
      reports: {
        put: async (key: string, body: Buffer, options: { contentType: string }) => {
          objects.set(key, { body: body.toString('utf8'), contentType: options.contentType });
        },
      },
    },
  };
}

describe('applyPhasePolicy', () => {
  it('records the phase policy from its planned start', async () => {
    const records: PolicyRecord[] = [];
    const store = {
      applyPolicy: async (r: PolicyRecord) => {
        records.push(r);
        return { applied: true };
      },
    };

    await applyPhasePolicy({ store, clock }, applyPolicyTaskSchema.parse(makeIteration(1)));

    expect(records).toEqual([
      {
        scheduleId: 'quang-ngai-2019',
        phaseId: 'province-pilot',
        policy: {
          phaseId: 'province-pilot',
          channelsOpen: ['national-axis', 'province'],
          enrolledAgencies: 'all',
          electronicOnlyTypes: ['giay-moi', 'thong-bao', 'bao-cao'],
        },
        effectiveFrom: '2019-05-14T17:00:00Z',
        effectiveTo: '2019-06-15T17:00:00Z',
        appliedAt: '2019-05-12T02:00:00.000Z',
      },
    ]);
  });

  it('refuses to go on when a later policy is already in force', async () => {
    const store = { applyPolicy: async () => ({ applied: false }) };

    await expect(
      applyPhasePolicy({ store, clock }, applyPolicyTaskSchema.parse(makeIteration(0))),
    ).rejects.toBeInstanceOf(PolicySupersededError);
  });

  it('accepts the open-ended last phase', () => {
    expect(applyPolicyTaskSchema.parse(makeIteration(2)).endAt).toBeNull();
  });
});

describe('generatePhaseReport', () => {
  it('counts the documents of the planned window and writes JSON, CSV and HTML', async () => {
    const ports = makeReportPorts([
      makeDocument(),
      makeDocument({ id: 'late', createdAt: '2019-05-11T00:00:00.000Z' }),
    ]);

    const result = await generatePhaseReport(ports.deps, makeReportTask(0));

    expect(result).toEqual({
      extensions: 0,
      window: {
        from: '2019-04-24T17:00:00Z',
        to: '2019-05-10T17:00:00Z',
        deadline: '2019-05-14T17:00:00Z',
      },
      keys: reportKeys('quang-ngai-2019', 'national-axis-pilot', 0),
      documents: 1,
      complete: true,
    });
    expect(ports.queries[0]?.issuers).toEqual(['000.00.00.H48', '000.00.01.H48']);
    expect([...ports.objects.keys()]).toEqual([
      'reports/quang-ngai-2019/national-axis-pilot/report.json',
      'reports/quang-ngai-2019/national-axis-pilot/report.csv',
      'reports/quang-ngai-2019/national-axis-pilot/report.html',
    ]);
    expect(ports.objects.get(result.keys.html)?.contentType).toBe('text/html; charset=utf-8');
    expect(ports.objects.get(result.keys.csv)?.body).toContain('silent_agency,000.00.00.H48');
    const json = JSON.parse(ports.objects.get(result.keys.json)?.body ?? '{}');
    expect(json).toMatchObject({
      extensions: 0,
      complete: true,
      report: { documents: { total: 1 } },
    });
  });

  it('reports on the window moved later by each extension, under its own keys', async () => {
    const ports = makeReportPorts([makeDocument({ createdAt: '2019-05-15T00:00:00.000Z' })]);

    const result = await generatePhaseReport(ports.deps, makeReportTask(0, 1));

    expect(result.window).toEqual({
      from: '2019-04-24T17:00:00Z',
      to: '2019-05-17T17:00:00Z',
      deadline: '2019-05-21T17:00:00Z',
    });
    expect(result.documents).toBe(1);
    expect(result.keys.json).toBe(
      'reports/quang-ngai-2019/national-axis-pilot/report-extension-1.json',
    );
  });

  it('reads every issuer when every agency is enrolled', async () => {
    const ports = makeReportPorts();

    await generatePhaseReport(ports.deps, makeReportTask(1));

    expect(ports.queries[0]).toMatchObject({
      issuers: 'all',
      electronicOnlyTypes: ['giay-moi', 'thong-bao', 'bao-cao'],
    });
  });

  it('refuses more extensions than the schedule allows', async () => {
    await expect(generatePhaseReport(makeReportPorts().deps, makeReportTask(0, 2))).rejects.toThrow(
      RangeError,
    );
  });
});

describe('requestApproval', () => {
  const makeTask = (extensions = 0) =>
    approvalRequestTaskSchema.parse({
      taskToken: 'token-1',
      scheduleId: 'quang-ngai-2019',
      phaseId: 'national-axis-pilot',
      title: 'Thí điểm',
      recipients: ['000.00.00.G22'],
      report: {
        extensions,
        window: {
          from: '2019-04-24T17:00:00Z',
          to: '2019-05-10T17:00:00Z',
          deadline: '2019-05-14T17:00:00Z',
        },
        keys: reportKeys('quang-ngai-2019', 'national-axis-pilot', extensions),
        documents: 3,
        complete: true,
      },
    });

  it('stores the task token with the report to decide on', async () => {
    const stored: PendingApproval[] = [];
    const approvals = { recordPending: async (a: PendingApproval) => void stored.push(a) };

    await requestApproval({ approvals, clock }, makeTask(1));

    expect(stored).toEqual([
      expect.objectContaining({
        taskToken: 'token-1',
        phaseId: 'national-axis-pilot',
        attempt: 2,
        reportKeys: reportKeys('quang-ngai-2019', 'national-axis-pilot', 1),
        recipients: ['000.00.00.G22'],
        requestedAt: '2019-05-12T02:00:00.000Z',
      }),
    ]);
  });

  it('lets the store refuse a second pending approval', async () => {
    const approvals = {
      recordPending: async () => {
        throw new ApprovalAlreadyPendingError('national-axis-pilot');
      },
    };

    await expect(requestApproval({ approvals, clock }, makeTask())).rejects.toBeInstanceOf(
      ApprovalAlreadyPendingError,
    );
  });

  it('requires a task token', () => {
    const { taskToken: _, ...rest } = makeTask();
    expect(approvalRequestTaskSchema.safeParse(rest).success).toBe(false);
  });
});

describe('approval decision', () => {
  it('accepts approved and rejected only', () => {
    expect(approvalDecisionSchema.safeParse({ decision: 'approved', decidedBy: 'a' }).success).toBe(
      true,
    );
    expect(approvalDecisionSchema.safeParse({ decision: 'maybe', decidedBy: 'a' }).success).toBe(
      false,
    );
  });
});
