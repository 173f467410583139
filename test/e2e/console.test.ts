import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ApiClient } from '#cli/api-client.ts';
import {
  announceDocument,
  type DocumentRequest,
  followDocument,
  getDocument,
  postUploadForm,
  vietnamToday,
} from '#cli/upload.ts';
import { loadTrust } from '#functions/lib/trust.ts';
import { documentPageSchema } from '#shared/documents/api-schemas.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import {
  type ConsoleTab,
  launchBrowser,
  openConsoleTab,
  screenshot,
} from '#test/support/browser.ts';
import { DEPARTMENTS, PROVINCIAL_OFFICE, signAsLeader } from '../../scripts/demo.ts';
import { signDevToken } from '../../scripts/local/dev-token.ts';
import { type ConsoleStack, startConsoleStack } from './console-stack.ts';

/** Sở Nội vụ: a department with a provincial inbox. */
const RECIPIENT = DEPARTMENTS[1];
/** The pipeline's three steps take a few seconds locally; the timeline polls every 1.5 s. */
const PIPELINE_MS = 45_000;

let stack: ConsoleStack;
let browser: Browser;
const tabs: ConsoleTab[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  for (const tab of tabs) await tab.context.close();
  await browser?.close();
  await stack?.stop();
});

const apiAs = (agency: string) => new ApiClient(stack.api, signDevToken(stack.auth, { agency }));

async function tab(): Promise<ConsoleTab> {
  const opened = await openConsoleTab(browser, stack.consoleUrl);
  tabs.push(opened);
  return opened;
}

/** The development sign-in, as a clerk would use it: role, agency, button. */
async function signIn(page: Page, agency: string, role: 'agency' | 'admin' = 'agency') {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Đăng nhập vào hệ thống' }).waitFor();
  await page
    .getByRole('radio', { name: role === 'admin' ? 'Quản trị viên' : 'Văn thư cơ quan' })
    .check();
  await page.getByLabel('Cơ quan', { exact: true }).selectOption(agency);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** Everything the upload form asks for, with a recipient picked through the directory search. */
async function fillUploadForm(page: Page, number: number, pdf: Buffer) {
  await page.getByLabel('Tệp PDF đã được lãnh đạo ký số').setInputFiles({
    name: `${number}-UBND-KGVX.pdf`,
    mimeType: 'application/pdf',
    buffer: pdf,
  });
  await page.getByLabel('Số văn bản').fill(String(number));
  await page.getByLabel('Ký hiệu').fill('UBND-KGVX');
  await page.getByLabel('Loại văn bản').selectOption('cong-van');
  await page
    .getByLabel('Trích yếu nội dung')
    .fill('Về việc triển khai gửi, nhận văn bản điện tử có ký số');
  await page.getByLabel('Người ký', { exact: true }).fill('Lãnh đạo (thử nghiệm)');
  await page.getByLabel('Chức vụ người ký').fill('Chánh Văn phòng');
  await page.getByLabel('Tìm cơ quan nhận theo tên hoặc mã').fill(RECIPIENT);
  await page.getByRole('checkbox', { name: new RegExp(RECIPIENT.replaceAll('.', '\\.')) }).check();
}

const request = (number: number): DocumentRequest => ({
  number,
  notation: 'UBND-KGVX',
  typeCode: 'cong-van',
  subject: 'Về việc thử nghiệm bảng điều khiển',
  promulgationDate: vietnamToday(),
  signer: { name: 'Lãnh đạo (thử nghiệm)', position: 'Chánh Văn phòng' },
  urgency: 'normal',
  secrecy: 'none',
  recipients: [RECIPIENT],
});

const ConfigSchema = z.object({
  apiUrl: z.string(),
  auth: z.object({
    kind: z.literal('dev'),
    signInUrl: z.string(),
    agencies: z.array(z.object({ code: z.string(), name: z.string() })),
  }),
  storageRewrite: z.object({ from: z.string(), to: z.string() }),
});

/** Problems the page reported that no screen should cause: script errors, CSP violations. */
const seriousProblems = (opened: ConsoleTab) =>
  opened.problems.filter((p) => p.startsWith('page error') || /Content Security Policy/i.test(p));

describe('the console server', () => {
  it('serves the console with the security headers CloudFront sends and no inline script', async () => {
    const response = await fetch(`${stack.consoleUrl}/`);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(html).toMatch(/<script type="module"[^>]* src="[^"]+\.js"/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('answers a bookmarked path with the console, a missing asset with 404, and no file outside the build', async () => {
    const bookmarked = await fetch(`${stack.consoleUrl}/some/where`);
    const asset = await fetch(`${stack.consoleUrl}/assets/missing.js`);
    const outside = await fetch(`${stack.consoleUrl}/..%2f..%2fjwt-secret`);

    expect(bookmarked.status).toBe(200);
    expect(await bookmarked.text()).toContain('<div id="app">');
    expect(asset.status).toBe(404);
    expect(outside.status).toBe(404);
  });

  it('writes config.json for the local stack: API and storage through its own origin, province agencies to sign in as', async () => {
    const response = await fetch(`${stack.consoleUrl}/config.json`);
    const config = ConfigSchema.parse(await response.json());

    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(config).toMatchObject({
      apiUrl: '/api',
      auth: { kind: 'dev', signInUrl: '/dev/sign-in' },
      storageRewrite: { from: stack.storage, to: '/storage' },
    });
    const codes = config.auth.agencies.map((a) => a.code);
    expect(codes).toContain(PROVINCIAL_OFFICE);
    expect(codes).toContain(RECIPIENT);
  });

  it('signs a development token the API accepts through the /api proxy, and refuses a malformed agency', async () => {
    const signIn = await fetch(`${stack.consoleUrl}/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agency: RECIPIENT, role: 'agency' }),
    });
    const { token } = z.object({ token: z.string() }).parse(await signIn.json());
    const inbox = await fetch(`${stack.consoleUrl}/api/inbox`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const unsigned = await fetch(`${stack.consoleUrl}/api/inbox`);
    const malformed = await fetch(`${stack.consoleUrl}/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agency: 'not an agency', role: 'agency' }),
    });

    expect(signIn.status).toBe(200);
    expect(inbox.status).toBe(200);
    expect(await inbox.json()).toMatchObject({ items: [] });
    expect(unsigned.status).toBe(401);
    expect(malformed.status).toBe(400);
  });
});

describe('clerks in the browser', () => {
  it('(a) the Provincial Office uploads a leader-signed PDF, sees the progress bar, and the timeline reaches "routed"', async () => {
    const office = await tab();
    const { page } = office;
    const pdf = await signAsLeader(stack.reference, PROVINCIAL_OFFICE, 'Cong van 1808/UBND-KGVX');
    await signIn(page, PROVINCIAL_OFFICE);
    await screenshot(page, 'a1-signed-in-upload-form');
    await fillUploadForm(page, 1808, pdf);
    await screenshot(page, 'a2-form-filled');
    // Hold the file at the storage proxy until the progress bar has been seen: a small file on
    // loopback would otherwise finish before any assertion could look.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let uploadBody: Buffer | null = null;
    await page.route('**/storage/**', async (route) => {
      uploadBody = route.request().postDataBuffer();
      await held;
      await route.continue();
    });

    await page.getByRole('button', { name: 'Ký gửi' }).click();

    const progress = page.getByRole('progressbar', { name: 'Tiến độ tải lên' });
    await progress.waitFor();
    expect(await progress.getAttribute('max')).toBe(String(pdf.length));
    await screenshot(page, 'a3-uploading');
    release();
    await page.waitForURL(/#\/documents\/[0-9a-f-]{36}$/);
    const id = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByRole('heading', { name: 'Văn bản số 1808/UBND-KGVX' }).waitFor();
    await expect
      .poll(() => page.getByTestId('current-status').textContent(), { timeout: PIPELINE_MS })
      .toBe('Trạng thái hiện tại: Đã chuyển đến nơi nhận');
    await screenshot(page, 'a4-routed');

    const timeline = page.locator('ol.timeline li');
    expect(await timeline.evaluateAll((items) => items.map((li) => li.className))).toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(await timeline.locator('strong').allTextContents()).toEqual([
      'Đã tải lên',
      'Đã kiểm tra chữ ký',
      'Đã ký số của cơ quan',
      'Đã chuyển đến nơi nhận',
    ]);
    // The browser's multipart POST reached storage intact: the pipeline re-checked its SHA-256.
    expect(uploadBody).not.toBeNull();
    const detail = await getDocument(apiAs(PROVINCIAL_OFFICE), id);
    expect(detail.status).toBe('ROUTED');
    expect(detail.countersigned).toBe(true);
    expect(detail.deliveries.map((d) => [d.recipient, d.state])).toEqual([[RECIPIENT, 'SENT']]);
    expect(seriousProblems(office)).toEqual([]);
  }, 90_000);

  it('(b) the recipient department downloads the countersigned PDF, accepts it (03), and the sender sees 03 for it', async () => {
    const sender = apiAs(PROVINCIAL_OFFICE);
    const pdf = await signAsLeader(stack.reference, PROVINCIAL_OFFICE, 'Cong van 1811');
    const file = new Blob([new Uint8Array(pdf)], { type: 'application/pdf' });
    const created = await announceDocument(sender, request(1811), file);
    await postUploadForm(created.upload, file, '1811-UBND-KGVX.pdf');
    const routed = await followDocument(sender, created.id, {
      intervalMs: 250,
      timeoutMs: PIPELINE_MS,
    });
    expect(routed.status).toBe('ROUTED');
    const department = await tab();
    const { page } = department;
    await signIn(page, RECIPIENT);
    await page.getByRole('link', { name: 'Văn bản đến' }).click();
    const item = page.getByRole('article', { name: '1811/UBND-KGVX' });
    await item.waitFor();
    await screenshot(page, 'b1-inbox');
    // The download follows the API's redirect to storage, through the console's own origin.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: 'Tải về' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('1811-UBND-KGVX.pdf');
    const report = validatePdf(await readFile(await download.path()), {
      ...(await loadTrust(stack.reference.trustDir)),
      validationTime: new Date(),
    });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures).toHaveLength(2);

    await item.getByRole('button', { name: 'Tiếp nhận (03)' }).click();

    await expect.poll(() => item.locator('[data-state]').getAttribute('data-state')).toBe('03');
    expect(await item.locator('[data-state]').textContent()).toBe('03 Đã tiếp nhận');
    await screenshot(page, 'b2-accepted');
    const seen = await getDocument(sender, created.id);
    expect(seen.deliveries.find((d) => d.recipient === RECIPIENT)?.state).toBe('03');

    const office = await tab();
    await signIn(office.page, PROVINCIAL_OFFICE);
    await office.page.goto(`/#/documents/${created.id}`);
    const row = office.page.locator(`tr[data-recipient="${RECIPIENT}"]`);
    await row.waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('03 Đã tiếp nhận');
    await screenshot(office.page, 'b3-sender-sees-03');
    expect([...seriousProblems(department), ...seriousProblems(office)]).toEqual([]);
  }, 90_000);

  it('(c) a secret document cannot be sent: the form explains why and nothing is created', async () => {
    const office = await tab();
    const { page } = office;
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/documents$/.test(r.url())) posts.push(r.url());
    });
    await signIn(page, PROVINCIAL_OFFICE);
    await fillUploadForm(
      page,
      1810,
      await signAsLeader(stack.reference, PROVINCIAL_OFFICE, 'Cong van 1810/UBND-KGVX'),
    );

    await page.getByLabel('Độ mật').selectOption('mat');

    const notice = page.getByTestId('secret-notice');
    await notice.waitFor();
    expect(await notice.getAttribute('role')).toBe('alert');
    expect(await notice.textContent()).toContain('Quyết định 28/2018/QĐ-TTg');
    const send = page.getByRole('button', { name: 'Ký gửi' });
    expect(await send.isDisabled()).toBe(true);
    await screenshot(page, 'c1-secret-refused');
    await page.getByLabel('Ký hiệu').press('Enter');
    const sent = await apiAs(PROVINCIAL_OFFICE).request('GET', '/documents?direction=sent', {
      schema: documentPageSchema,
    });
    expect(sent.items.filter((d) => d.number === '1810')).toEqual([]);
    expect(posts).toEqual([]);
    expect(seriousProblems(office)).toEqual([]);
  }, 60_000);
});

describe('an administrator in the browser', () => {
  // This stack runs no rollout state machine, so the API answers the approvals 503, as a
  // deployment without one does; approving a phase (scenario d) is in console-admin.test.ts.
  it('signs in as administrator, sees the rollout dashboard, and is told approvals are not available without a state machine', async () => {
    const admin = await tab();
    const { page } = admin;
    await signIn(page, PROVINCIAL_OFFICE, 'admin');

    await page.getByRole('heading', { name: 'Tổng quan triển khai' }).waitFor();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    expect(await page.getByRole('heading', { name: /^Giai đoạn hiện hành/ }).count()).toBe(1);
    await screenshot(page, 'd1-admin-dashboard');
    await page.getByRole('link', { name: 'Phê duyệt giai đoạn' }).click();
    await page.getByRole('heading', { name: 'Phê duyệt chuyển giai đoạn' }).waitFor();
    const approvals = await fetch(`${stack.api}/admin/approvals`, {
      headers: {
        authorization: `Bearer ${signDevToken(stack.auth, { agency: PROVINCIAL_OFFICE, role: 'admin' })}`,
      },
    });
    await page.getByText('Chức năng này chưa có trong bản triển khai này.').waitFor();
    await screenshot(page, 'd2-admin-approvals');

    expect(approvals.status).toBe(503);
    expect(seriousProblems(admin)).toEqual([]);
  }, 60_000);
});
