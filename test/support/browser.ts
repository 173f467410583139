import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's `chromium` (installed by `.ci/run`); playwright-core downloads no browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Kept as CI artifacts; the folder is git-ignored. */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL('../../test-artifacts/screenshots/', import.meta.url),
);

/** The office screen the console is made for. */
export const OFFICE_VIEWPORT = { width: 1366, height: 768 } as const;

/** Headless Chromium; `--no-sandbox` because CI runs as root in a container. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--lang=vi-VN'],
  });
}

export interface ConsoleTab {
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * What went wrong in the page so far: uncaught errors, console errors (CSP violations among
   * them) and failed requests, for assertions and failure messages.
   */
  readonly problems: string[];
}

/**
 * A fresh browser profile (its own sessionStorage, so its own signed-in user) on `baseUrl`, with
 * a Vietnamese locale on an office screen.
 */
export async function openConsoleTab(browser: Browser, baseUrl: string): Promise<ConsoleTab> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: OFFICE_VIEWPORT,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(
      `request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`,
    ),
  );
  return { context, page, problems };
}

/** A full-page PNG under `test-artifacts/screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
