import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** The browser tests' Chromium: Debian's package, headless, with nothing phoning home. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const ARTIFACTS = fileURLToPath(new URL('../../../../.test-artifacts/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Launches Chromium, failing loudly when it is not installed: a skipped browser test proves nothing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH to a Chromium binary)`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A page that records console errors, failed loads, navigations and every request it makes. */
export async function openRecordedPage(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  let navigations = 0;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Aborting the live stream at the end of a test is not a failure of the page.
    if (!request.url().endsWith('/status/live')) problems.push(`failed: ${request.url()}`);
  });
  page.on('request', (request) => requests.push(request.url()));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests, navigations: () => navigations };
}

/** A visit without console errors or failed loads, whose every request went to the server under test. */
export function assertCleanVisit(visit: { problems: string[]; requests: string[] }, serverUrl: string): void {
  assert.deepEqual(visit.problems, []);
  const origin = `${serverUrl}/`;
  assert.deepEqual(
    visit.requests.filter((url) => !url.startsWith(origin)),
    [],
    'a request left loopback',
  );
}

/**
 * Serious and critical axe violations, or violations of every impact with `'all'`; the context must
 * bypass CSP, which (rightly) refuses axe.
 */
export async function runAxe(page: Page, impacts: 'serious' | 'all' = 'serious') {
  await page.addScriptTag({ content: AXE_SOURCE });
  const results = await page.evaluate<AxeResults>("axe.run({ resultTypes: ['violations'] })");
  return results.violations
    .filter(
      (violation) => impacts === 'all' || violation.impact === 'serious' || violation.impact === 'critical',
    )
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      targets: nodes.slice(0, 3).map((node) => node.target.join(' ')),
    }));
}

/**
 * Polls an expression from outside the page: Playwright's waitForFunction evaluates strings with
 * eval inside it, which our CSP (rightly) blocks.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface AxeResults {
  violations: Array<{ id: string; impact?: string; help: string; nodes: Array<{ target: string[] }> }>;
}
