import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { edoc, sendAndDownload } from '#test/support/edoc-cli.ts';
import { type RunningDemoEnvironment, runDemo, startDemoStack } from '../../scripts/demo.ts';

const ISSUER = '000.00.08.H48'; // Sở Thông tin và Truyền thông
const RECIPIENT = '000.00.02.H48'; // Sở Nội vụ

let environment: RunningDemoEnvironment;
let dir: string;

beforeAll(async () => {
  vi.stubEnv('EDOC_API', '');
  vi.stubEnv('EDOC_TOKEN', '');
  dir = await mkdtemp(join(tmpdir(), 'edoc-demo-test-'));
  // The stack synthesizes the CDK app for its rollout state machine: allow for a busy machine.
  environment = await startDemoStack();
}, 120_000);

afterAll(async () => {
  await environment?.stop();
  await rm(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('npm run demo', () => {
  it('walks the whole story with every step behaving as expected', async () => {
    const lines: string[] = [];

    const result = await runDemo({ environment, print: (line) => lines.push(line) });

    expect(
      result.steps.filter((s) => !s.ok),
      lines.join('\n'),
    ).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.title)).toEqual([
      'the Provincial Office leader signs letter 1808',
      '1808/UBND-KGVX goes to 000.00.08.H48 and 000.00.02.H48 and is ROUTED',
      '000.00.02.H48 downloads it: leader and organization signatures valid',
      'a tampered copy (1808 changed to 1809 after signing) is REJECTED',
      'a document marked Mật is refused with 422',
      '000.00.02.H48 finds it in its inbox and reports 01 then 03',
      'the 2019 rollout advances phase by phase, each report approved by an administrator',
    ]);
    expect(lines.filter((l) => l.startsWith('✓'))).toHaveLength(7);
    expect(lines.join('\n')).toMatch(
      /province-pilot +in force \(channels national-axis, province\)/,
    );
    expect(lines.join('\n')).toContain('official-use in force; 6 report files');
    expect(lines.join('\n')).toContain('SIGNATURE_TOTAL_FAILED');
  });
});

describe('edoc against the local stack', () => {
  it('uploads a signed PDF with a dev token, follows it to ROUTED, and the recipient downloads it', async () => {
    const { upload, download, report } = await sendAndDownload(environment, {
      issuer: ISSUER,
      recipient: RECIPIENT,
      number: '42',
      subject: 'Thử nghiệm dòng lệnh',
      dir,
    });

    expect(upload.code, [...upload.out, ...upload.err].join('\n')).toBe(0);
    expect(upload.out.some((l) => /upload \d+ \/ \d+ bytes \(100%\)/.test(l))).toBe(true);
    const routed = upload.out.find((l) => l.startsWith('ROUTED '));
    expect(routed).toMatch(new RegExp(`^ROUTED [0-9a-f-]{36} to ${RECIPIENT} \\(SENT\\)$`));
    for (const status of ['UPLOADED', 'VERIFIED', 'COUNTERSIGNED']) {
      expect(upload.out.some((l) => l.trim().startsWith(status))).toBe(true);
    }
    expect(download?.code, download?.err.join('\n')).toBe(0);
    expect(report?.indication).toBe('TOTAL_PASSED');
    expect(report?.signatures).toHaveLength(2);
  });

  it('exits 1 with the API error code when the API refuses', async () => {
    const token = await edoc('dev-token', '--agency', ISSUER, '--state-dir', environment.stateDir);

    const status = await edoc(
      'status',
      '00000000-0000-4000-8000-000000000000',
      '--api',
      environment.api,
      '--token',
      token.out[0] ?? '',
    );

    expect(status.code).toBe(1);
    expect(status.err.join('\n')).toContain('DOCUMENT_NOT_FOUND (HTTP 404)');
  });
});
