import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalListSchema } from '#shared/documents/api-schemas.ts';
import { parseSchedule } from '#shared/rollout/schedule.ts';
import {
  type ConsoleTab,
  launchBrowser,
  openConsoleTab,
  screenshot,
} from '#test/support/browser.ts';
import { PROVINCIAL_OFFICE } from '../../scripts/demo.ts';
import { signDevToken } from '../../scripts/local/dev-token.ts';
import type { TaskRecord } from '../../scripts/local/rollout-runner.ts';
import { type ConsoleStack, startConsoleStack } from './console-stack.ts';

/** The province's 2019 schedule; its first phase waits for an administrator after its report. */
const SCHEDULE_FILE = new URL(
  '../../shared/rollout/schedules/quang-ngai-2019.json',
  import.meta.url,
);
const FIRST_PHASE = 'national-axis-pilot';

let stack: ConsoleStack;
let browser: Browser;
let admin: ConsoleTab | undefined;
const tasks: TaskRecord[] = [];

beforeAll(async () => {
  const schedule = parseSchedule(JSON.parse(await readFile(SCHEDULE_FILE, 'utf8')));
  [stack, browser] = await Promise.all([
    // Wait states pause 10 ms: the schedule's months pass at once, up to the approval gate.
    startConsoleStack({ rollout: { waitMs: 10, schedule, onTask: (t) => tasks.push(t) } }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
  await stack?.stop();
});

async function pendingApprovals() {
  const token = signDevToken(stack.auth, { agency: PROVINCIAL_OFFICE, role: 'admin' });
  const response = await fetch(`${stack.api}/admin/approvals`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return approvalListSchema.parse(await response.json()).items;
}

const policiesApplied = () => tasks.filter((t) => t.entry === 'rollout-apply-policy' && !t.error);

describe('an administrator in the browser', () => {
  it('(d) approves the pending rollout phase, and the rollout moves on to the next phase', async () => {
    await expect
      .poll(async () => (await pendingApprovals()).map((a) => a.phaseId), {
        timeout: 30_000,
        interval: 250,
      })
      .toEqual([FIRST_PHASE]);
    const [approval] = await pendingApprovals();
    admin = await openConsoleTab(browser, stack.consoleUrl);
    const { page } = admin;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Đăng nhập vào hệ thống' }).waitFor();
    await page.getByRole('radio', { name: 'Quản trị viên' }).check();
    await page.getByLabel('Cơ quan', { exact: true }).selectOption(PROVINCIAL_OFFICE);
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.getByRole('heading', { name: 'Tổng quan triển khai' }).waitFor();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    await screenshot(page, 'd1-admin-dashboard-rollout');
    await page.getByRole('link', { name: 'Phê duyệt giai đoạn' }).click();
    const card = page.getByRole('article', { name: approval?.title ?? FIRST_PHASE });
    await card.waitFor();
    await screenshot(page, 'd2-pending-approval');
    const appliedBefore = policiesApplied().length;

    await card.getByRole('button', { name: 'Phê duyệt', exact: true }).click();
    const confirmation = card.getByRole('alertdialog');
    await confirmation.waitFor();
    await screenshot(page, 'd3-confirm-approval');
    await confirmation.getByRole('button', { name: 'Xác nhận' }).click();

    const done = page
      .getByRole('status')
      .filter({ hasText: `Đã phê duyệt giai đoạn ${FIRST_PHASE}` });
    await done.waitFor();
    await screenshot(page, 'd4-approved');
    expect(
      (await pendingApprovals()).filter((a) => a.phaseId === FIRST_PHASE && a.attempt === 1),
    ).toEqual([]);
    // The execution went past the gate: the next phase's policy is applied.
    await expect
      .poll(() => policiesApplied().length, { timeout: 30_000 })
      .toBeGreaterThan(appliedBefore);
    expect(
      admin.problems.filter(
        (p) => p.startsWith('page error') || /Content Security Policy/i.test(p),
      ),
    ).toEqual([]);
  }, 90_000);
});
