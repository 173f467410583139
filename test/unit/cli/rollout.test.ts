import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { main } from '#cli/main.ts';

const shipped = resolve(
  import.meta.dirname,
  '../../../shared/rollout/schedules/quang-ngai-2019.json',
);

let dir: string;
let out: string[];
let err: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edoc-rollout-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((line) => out.push(String(line)));
  vi.spyOn(console, 'error').mockImplementation((line) => err.push(String(line)));
});

/** The shipped schedule with changes, written to a file of its own. */
async function scheduleFile(name: string, change: (json: Record<string, unknown>) => void) {
  const json = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(shipped, 'utf8')));
  change(json);
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(json));
  return file;
}

/** The block of one phase in the plan (from its numbered heading to the next blank line). */
const block = (text: string, heading: string) => {
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`no ${heading} in\n${text}`);
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end < 0 ? undefined : end);
};

describe('edoc rollout plan', () => {
  it('prints the 2019 phases with windows and deadlines in Vietnamese local time', async () => {
    expect(await main(['rollout', 'plan', shipped])).toBe(0);
    const text = out.join('\n');

    expect(text).toMatch(/^quang-ngai-2019: Lộ trình/);
    expect(text).toContain('time zone  Asia/Ho_Chi_Minh');
    const first = block(text, '1. national-axis-pilot');
    expect(first).toContain(
      'window     25/04/2019 00:00 (UTC+07:00) → 11/05/2019 00:00 (UTC+07:00) (exclusive)',
    );
    expect(first).toContain('enrolled   000.00.00.H48, 000.00.01.H48');
    expect(first).toContain('e-only     giay-moi, thong-bao, bao-cao');
    expect(first).toContain('channels   national-axis');
    expect(first).toContain('report     due 15/05/2019 00:00 (UTC+07:00) to 000.00.00.G22');
    expect(first).toContain('if rejected extend by P7D, once, then stop');
    const second = block(text, '2. province-pilot');
    expect(second).toContain('enrolled   all agencies');
    expect(second).toContain('channels   national-axis, province');
    expect(second).toContain('to 000.00.00.H48, 000.00.00.G22');
    const last = block(text, '3. official-use');
    expect(last).toContain('30/06/2019 00:00 (UTC+07:00) → open-ended');
    expect(last).toContain('report     none');
    expect(last).not.toContain('if rejected');
    expect(err).toEqual([]);
  });

  it('writes the windows in the schedule’s own zone, not in UTC', async () => {
    const file = await scheduleFile('bangkok.json', (json) => {
      json['timezone'] = 'Asia/Bangkok';
    });
    const utc = await scheduleFile('utc.json', (json) => {
      json['timezone'] = 'UTC';
    });

    expect(await main(['rollout', 'plan', file])).toBe(0);
    // Bangkok is UTC+07:00 too: the same offsets are valid.
    expect(out.join('\n')).toContain('25/04/2019 00:00 (UTC+07:00)');
    out.length = 0;
    // In UTC the +07:00 instants of the file are refused.
    expect(await main(['rollout', 'plan', utc])).toBe(1);
    expect(err.join('\n')).toContain('phases[0].start: must be written with the UTC offset');
  });

  it('prints the plan as JSON with --json', async () => {
    expect(await main(['rollout', 'plan', shipped, '--json'])).toBe(0);
    const plan = z
      .object({
        scheduleId: z.string(),
        phases: z.array(
          z.object({ phaseId: z.string(), end: z.string().nullable(), report: z.unknown() }),
        ),
      })
      .parse(JSON.parse(out.join('\n')));

    expect(plan.scheduleId).toBe('quang-ngai-2019');
    expect(plan.phases.map((p) => p.phaseId)).toEqual([
      'national-axis-pilot',
      'province-pilot',
      'official-use',
    ]);
    expect(plan.phases[2]).toMatchObject({ end: null, report: null });
  });

  it('exits 1 listing each faulty field of an invalid schedule', async () => {
    const file = await scheduleFile('overlap.json', (json) => {
      const phases = z.array(z.record(z.string(), z.unknown())).parse(json['phases']);
      if (phases[1]) phases[1]['start'] = '2019-05-01T00:00:00+07:00';
      if (phases[0]) phases[0]['channelsOpen'] = ['fax'];
      json['phases'] = phases;
    });

    expect(await main(['rollout', 'plan', file])).toBe(1);
    expect(err.join('\n')).toContain('phases[0].channelsOpen[0]');
    expect(out).toEqual([]);
  });

  it.each([
    [['rollout'], 'plan or simulate is required'],
    [['rollout', 'deploy', shipped], 'unknown subcommand deploy'],
    [['rollout', 'plan'], 'the schedule file is required'],
    [['rollout', 'plan', shipped, 'extra.json'], 'unexpected argument extra.json'],
    [['rollout', 'plan', shipped, '--verbose'], "Unknown option '--verbose'"],
    [['rollout', 'plan', '/nonexistent/schedule.json'], 'cannot read /nonexistent/schedule.json'],
    [['rollout', 'simulate', shipped, '--wait-ms', 'soon'], '--wait-ms must be a whole number'],
    [['rollout', 'simulate'], 'the schedule file is required'],
  ])('exits 2 on %j', async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(out).toEqual([]);
  });

  it('exits 2 for a file that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "id": ');

    expect(await main(['rollout', 'plan', file])).toBe(2);
    expect(err.join('\n')).toContain(`${file} is not JSON`);
  });
});
