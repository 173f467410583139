import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/errors.ts';
import { phaseAt, policyForPhase, UnknownPhaseError } from '#shared/rollout/policy.ts';
import { parseSchedule, type Schedule, ScheduleError } from '#shared/rollout/schedule.ts';
import { stateMachineInput, windowAfterExtensions } from '#shared/rollout/state-machine-input.ts';
import {
  durationSeconds,
  formatDurationVi,
  formatVietnamese,
  toZonedIso,
} from '#shared/rollout/time.ts';

const scheduleFile = path.resolve(
  import.meta.dirname,
  '../../../shared/rollout/schedules/quang-ngai-2019.json',
);
const loadQuangNgai2019 = (): Schedule =>
  parseSchedule(JSON.parse(readFileSync(scheduleFile, 'utf8')));

type Json = Record<string, unknown>;

function makePhase(overrides: Json = {}): Json {
  return {
    id: 'pilot',
    title: 'Thí điểm',
    start: '2019-04-25T00:00:00+07:00',
    end: '2019-05-11T00:00:00+07:00',
    enrolledAgencies: ['000.00.01.H48'],
    electronicOnlyTypes: ['thong-bao'],
    channelsOpen: ['national-axis'],
    report: { deadline: '2019-05-15T00:00:00+07:00', recipients: ['000.00.00.G22'] },
    onReject: { action: 'stop' },
    ...overrides,
  };
}

function makeSchedule(phases: Json[] = [makePhase()], overrides: Json = {}): Json {
  return {
    id: 'test-schedule',
    title: 'Lộ trình thử',
    timezone: 'Asia/Ho_Chi_Minh',
    phases,
    ...overrides,
  };
}

function issuesOf(json: unknown): { path: string; message: string }[] {
  try {
    parseSchedule(json);
  } catch (error) {
    if (error instanceof ScheduleError) return [...error.issues];
    throw error;
  }
  return [];
}

const pathsOf = (json: unknown) => issuesOf(json).map((i) => i.path);

describe('the 2019 Quảng Ngãi schedule', () => {
  it('has the three phases of 1808/UBND-KGVX in order', () => {
    const schedule = loadQuangNgai2019();

    expect(schedule.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(schedule.phases.map((p) => p.id)).toEqual([
      'national-axis-pilot',
      'province-pilot',
      'official-use',
    ]);
  });

  it('pilots the national axis from 25/4 through 10/5/2019 with a report due before 15/5', () => {
    const [axis] = loadQuangNgai2019().phases;

    expect(axis?.start).toBe('2019-04-25T00:00:00+07:00');
    expect(axis?.end).toBe('2019-05-11T00:00:00+07:00');
    expect(axis?.channelsOpen).toEqual(['national-axis']);
    expect(axis?.report?.deadline).toBe('2019-05-15T00:00:00+07:00');
  });

  it('pilots inside the province from 15/5 through 15/6/2019 with a report due before 20/6', () => {
    const province = loadQuangNgai2019().phases[1];

    expect(province?.start).toBe('2019-05-15T00:00:00+07:00');
    expect(province?.end).toBe('2019-06-16T00:00:00+07:00');
    expect(province?.channelsOpen).toEqual(['national-axis', 'province']);
    expect(province?.report?.deadline).toBe('2019-06-20T00:00:00+07:00');
  });

  it('puts official use in force from 30/6/2019 with no end and no report', () => {
    const official = loadQuangNgai2019().phases[2];

    expect(official?.start).toBe('2019-06-30T00:00:00+07:00');
    expect(official?.end).toBeUndefined();
    expect(official?.report).toBeUndefined();
    expect(official?.enrolledAgencies).toBe('all');
  });
});

describe('parseSchedule', () => {
  it('accepts a minimal valid schedule, catalogue type codes and e-mail recipients included', () => {
    const schedule = parseSchedule(
      makeSchedule([
        makePhase({
          electronicOnlyTypes: ['quyet-dinh', 'thong-bao'],
          report: {
            deadline: '2019-05-15T00:00:00+07:00',
            recipients: ['000.00.00.G22', 'vanthu@quangngai.gov.vn'],
          },
        }),
      ]),
    );

    expect(schedule.phases[0]?.electronicOnlyTypes).toEqual(['quyet-dinh', 'thong-bao']);
  });

  it('refuses a phase that ends before it starts, naming the field', () => {
    const json = makeSchedule([makePhase({ end: '2019-04-20T00:00:00+07:00' })]);

    expect(issuesOf(json)).toContainEqual({
      path: 'phases[0].end',
      message: 'must be after start',
    });
  });

  it('refuses overlapping phases', () => {
    const json = makeSchedule([
      makePhase({ id: 'first' }),
      makePhase({
        id: 'second',
        start: '2019-05-10T00:00:00+07:00',
        end: '2019-06-01T00:00:00+07:00',
      }),
    ]);

    expect(issuesOf(json)).toContainEqual({
      path: 'phases[1].start',
      message: 'must not be before the end of phase first',
    });
  });

  it('accepts a phase that starts exactly when the previous one ends', () => {
    const json = makeSchedule([
      makePhase({ id: 'first' }),
      makePhase({
        id: 'second',
        start: '2019-05-11T00:00:00+07:00',
        end: '2019-06-01T00:00:00+07:00',
        report: { deadline: '2019-06-05T00:00:00+07:00', recipients: ['000.00.00.H48'] },
      }),
    ]);

    expect(issuesOf(json)).toEqual([]);
  });

  it('lets only the last phase be open-ended', () => {
    const json = makeSchedule([
      makePhase({ id: 'first', end: undefined, report: undefined, onReject: undefined }),
      makePhase({
        id: 'second',
        start: '2019-06-01T00:00:00+07:00',
        end: undefined,
        report: undefined,
        onReject: undefined,
      }),
    ]);

    expect(pathsOf(json)).toEqual(['phases[0].end']);
  });

  it('refuses an instant without offset and one written in another zone', () => {
    const json = makeSchedule([
      makePhase({ start: '2019-04-25T00:00:00', end: '2019-05-10T17:00:00Z' }),
    ]);

    expect(pathsOf(json)).toEqual(['phases[0].start']);
    expect(issuesOf(makeSchedule([makePhase({ end: '2019-05-10T17:00:00Z' })]))).toEqual([
      {
        path: 'phases[0].end',
        message: 'must be written with the Asia/Ho_Chi_Minh offset at that instant',
      },
    ]);
  });

  it('refuses unknown fields, so a misspelt key is not silently ignored', () => {
    const json = makeSchedule([makePhase({ ende: '2019-05-11T00:00:00+07:00' })]);

    expect(pathsOf(json)).toEqual(['phases[0]']);
    expect(issuesOf(json)[0]?.message).toContain('ende');
  });

  it('accepts day and week extensions and refuses month ones, which have no fixed length', () => {
    const extend = (extension: string) =>
      makeSchedule([makePhase({ onReject: { action: 'extend', extension, maxExtensions: 2 } })]);

    expect(pathsOf(extend('P7D'))).toEqual([]);
    expect(pathsOf(extend('P2W'))).toEqual([]);
    expect(pathsOf(extend('P1M'))).toEqual(['phases[0].onReject.extension']);
    expect(pathsOf(extend('7 days'))).toEqual(['phases[0].onReject.extension']);
  });

  it('refuses an unknown gate action and a missing extension count', () => {
    expect(pathsOf(makeSchedule([makePhase({ onReject: { action: 'retry' } })]))).toEqual([
      'phases[0].onReject.action',
    ]);
    expect(
      pathsOf(makeSchedule([makePhase({ onReject: { action: 'extend', extension: 'P7D' } })])),
    ).toEqual(['phases[0].onReject.maxExtensions']);
  });

  it('requires a gate with every report and a report with every gate', () => {
    expect(pathsOf(makeSchedule([makePhase({ onReject: undefined })]))).toEqual([
      'phases[0].onReject',
    ]);
    expect(pathsOf(makeSchedule([makePhase({ report: undefined })]))).toEqual([
      'phases[0].onReject',
    ]);
  });

  it('refuses a report due before its phase ends', () => {
    const json = makeSchedule([
      makePhase({
        report: { deadline: '2019-05-01T00:00:00+07:00', recipients: ['000.00.00.G22'] },
      }),
    ]);

    expect(pathsOf(json)).toEqual(['phases[0].report.deadline']);
  });

  it('refuses recipients that are neither agency codes nor e-mail addresses', () => {
    const json = makeSchedule([
      makePhase({ report: { deadline: '2019-05-15T00:00:00+07:00', recipients: ['VPCP'] } }),
    ]);

    expect(pathsOf(json)).toEqual(['phases[0].report.recipients[0]']);
  });

  it('refuses repeated phase ids, agencies and channels', () => {
    const json = makeSchedule([
      makePhase({
        enrolledAgencies: ['000.00.01.H48', '000.00.01.H48'],
        channelsOpen: ['province', 'province'],
      }),
      makePhase({
        start: '2019-06-01T00:00:00+07:00',
        end: '2019-06-02T00:00:00+07:00',
        report: undefined,
        onReject: undefined,
      }),
    ]);

    expect(pathsOf(json).sort()).toEqual([
      'phases[0].channelsOpen[1]',
      'phases[0].enrolledAgencies[1]',
      'phases[1]',
    ]);
  });

  it('refuses an unknown time zone and an empty phase list', () => {
    expect(pathsOf(makeSchedule([], { timezone: 'Asia/Quang_Ngai' })).sort()).toEqual([
      'phases',
      'timezone',
    ]);
  });

  it('throws a DomainError whose message names every faulty field', () => {
    const json = makeSchedule([
      makePhase({ end: '2019-04-20T00:00:00+07:00', channelsOpen: ['fax'] }),
    ]);

    expect(() => parseSchedule(json)).toThrow(ScheduleError);
    try {
      parseSchedule(json);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as Error).message).toContain('phases[0].channelsOpen[0]');
    }
  });

  it('refuses something that is not a schedule at all', () => {
    expect(issuesOf('schedule')).toEqual([{ path: '', message: expect.any(String) }]);
  });
});

describe('policyForPhase', () => {
  it('gives routing the channels, agencies and electronic-only types of the phase', () => {
    const policy = policyForPhase(loadQuangNgai2019(), 'national-axis-pilot');

    expect(policy).toEqual({
      phaseId: 'national-axis-pilot',
      channelsOpen: ['national-axis'],
      enrolledAgencies: ['000.00.00.H48', '000.00.01.H48'],
      electronicOnlyTypes: ['giay-moi', 'thong-bao', 'bao-cao'],
    });
  });

  it('returns a copy that cannot alter the schedule', () => {
    const schedule = loadQuangNgai2019();
    const policy = policyForPhase(schedule, 'national-axis-pilot');

    (policy.channelsOpen as string[]).push('province');

    expect(schedule.phases[0]?.channelsOpen).toEqual(['national-axis']);
  });

  it('throws UnknownPhaseError for a phase the schedule lacks', () => {
    expect(() => policyForPhase(loadQuangNgai2019(), 'phase-9')).toThrow(UnknownPhaseError);
  });
});

describe('phaseAt', () => {
  const schedule = loadQuangNgai2019();
  const at = (iso: string) => phaseAt(schedule, new Date(iso))?.id;

  it('finds no phase before the first one starts', () => {
    expect(at('2019-04-24T23:59:59+07:00')).toBeUndefined();
  });

  it('includes the start and excludes the end of a phase', () => {
    expect(at('2019-04-25T00:00:00+07:00')).toBe('national-axis-pilot');
    expect(at('2019-05-10T23:59:59.999+07:00')).toBe('national-axis-pilot');
    expect(at('2019-05-11T00:00:00+07:00')).toBeUndefined();
  });

  it('finds no phase between two phases, and the open-ended phase for ever after', () => {
    expect(at('2019-06-20T12:00:00+07:00')).toBeUndefined();
    expect(at('2019-06-29T23:59:59+07:00')).toBeUndefined();
    expect(at('2019-06-30T00:00:00+07:00')).toBe('official-use');
    expect(at('2030-01-01T00:00:00Z')).toBe('official-use');
  });

  it('compares instants, not wall-clock text', () => {
    expect(at('2019-05-14T17:00:00Z')).toBe('province-pilot');
    expect(at('2019-05-14T16:59:59Z')).toBeUndefined();
  });
});

describe('stateMachineInput', () => {
  const input = stateMachineInput(loadQuangNgai2019());

  it('writes every Wait timestamp in UTC with a Z, as Step Functions requires', () => {
    const [axis] = input.phases;

    expect(axis?.startAt).toBe('2019-04-24T17:00:00Z');
    expect(axis?.endAt).toBe('2019-05-10T17:00:00Z');
    expect(axis?.reportWindow?.deadline).toBe('2019-05-14T17:00:00Z');
    for (const p of input.phases) {
      for (const t of [p.startAt, p.endAt, p.reportWindow?.from, p.reportWindow?.to]) {
        if (t != null) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
    }
  });

  it('carries the policy, the report window and the gate of each phase', () => {
    const province = input.phases[1];

    expect(province?.policy.enrolledAgencies).toBe('all');
    expect(province?.reportWindow).toEqual({
      from: '2019-05-14T17:00:00Z',
      to: '2019-06-15T17:00:00Z',
      deadline: '2019-06-19T17:00:00Z',
      recipients: ['000.00.00.H48', '000.00.00.G22'],
    });
    expect(province?.onReject).toEqual({
      action: 'extend',
      extension: 'P14D',
      extensionSeconds: 14 * 86_400,
      maxExtensions: 1,
    });
  });

  it('marks the open-ended phase with null end, report and gate', () => {
    const official = input.phases[2];

    expect(official).toMatchObject({ endAt: null, reportWindow: null, onReject: null });
    expect(official?.startAt).toBe('2019-06-29T17:00:00Z');
  });

  it('survives a JSON round trip unchanged, as the execution input does', () => {
    expect(JSON.parse(JSON.stringify(input))).toEqual(input);
  });

  it('moves the window end and the deadline by the extension after a rejection', () => {
    const [axis] = input.phases;
    if (axis === undefined) throw new Error('no phase');

    expect(windowAfterExtensions(axis, 0)).toEqual(axis.reportWindow);
    expect(windowAfterExtensions(axis, 1)).toMatchObject({
      from: '2019-04-24T17:00:00Z',
      to: '2019-05-17T17:00:00Z',
      deadline: '2019-05-21T17:00:00Z',
    });
    expect(() => windowAfterExtensions(axis, 2)).toThrow(RangeError);
  });

  it('refuses extensions for a phase whose gate stops', () => {
    const [phase] = stateMachineInput(parseSchedule(makeSchedule())).phases;
    if (phase === undefined) throw new Error('no phase');

    expect(phase.onReject).toEqual({ action: 'stop' });
    expect(() => windowAfterExtensions(phase, 1)).toThrow(RangeError);
  });
});

describe('time helpers', () => {
  it('reads fixed-length ISO 8601 durations in seconds', () => {
    expect(durationSeconds('P7D')).toBe(604_800);
    expect(durationSeconds('P2W')).toBe(1_209_600);
    expect(durationSeconds('PT36H')).toBe(129_600);
    expect(durationSeconds('P1DT12H30M15S')).toBe(131_415);
    for (const bad of ['P', 'PT', 'P0D', 'P1M', 'P1Y', 'P1W2D', '7D', 'P-1D']) {
      expect(durationSeconds(bad), bad).toBeUndefined();
    }
  });

  it('writes instants in Vietnam time with the +07:00 offset', () => {
    const at = new Date('2019-05-10T17:30:00Z');

    expect(toZonedIso(at, 'Asia/Ho_Chi_Minh')).toBe('2019-05-11T00:30:00+07:00');
    expect(formatVietnamese(at, 'Asia/Ho_Chi_Minh')).toBe('11/05/2019 00:30 (UTC+07:00)');
    expect(toZonedIso(at, 'UTC')).toBe('2019-05-10T17:30:00+00:00');
  });

  it('writes durations in Vietnamese with the two largest units', () => {
    expect(formatDurationVi(0)).toBe('0 giây');
    expect(formatDurationVi(65_000)).toBe('1 phút 5 giây');
    expect(formatDurationVi(90_061_000)).toBe('1 ngày 1 giờ');
    expect(formatDurationVi(3_600_000)).toBe('1 giờ');
  });
});
