// The dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// the page loads, the charts move with the telemetry socket, run-now with the token works and
// without it is refused. Saves test-artifacts/dashboard.png. Without Chromium the test fails in
// CI (CI=true) and is skipped elsewhere with a message saying how to install it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLabRig } from '../../src/demo/lab-rig.js';
import type { SafetyOverrideEvent } from '../../src/scheduler/events.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'e2e-token-0123456789abcdef';
const ARTIFACTS = 'test-artifacts';
const inCi = process.env['CI'] === 'true';
const skip = !existsSync(CHROMIUM) && !inCi ? `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test` : false;

async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required in CI (.ci/run installs Debian's chromium)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'tactus-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1100 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The demo lab rig (real scheduler, worker threads and process, monitor, bridge) on a free port. */
async function service() {
  const rig = await startLabRig({ port: 0, token: TOKEN, logLevel: 'error' });
  const overrides: SafetyOverrideEvent[] = [];
  rig.scheduler.on('safety-override', (event) => overrides.push(event));
  return { base: rig.origin, overrides, close: () => rig.close() };
}

// Page-side functions (serialised, so self-contained) reach the DOM through an untyped `globalThis`:
// the project's TypeScript lib has no DOM types. (Strings would be evaluated with eval, which the
// dashboard's CSP rightly forbids.)
const points = (page: Page, id: string): Promise<number> => page.evaluate((i) => Number((globalThis as any).document.getElementById(i).dataset.points), id);

async function runNow(page: Page, task: string, reason: string): Promise<string> {
  await page.click(`button.run-now[data-task="${task}"]`);
  await page.waitForSelector('#run-now-dialog[open]');
  await page.fill('#run-now-reason', reason);
  await page.click('#run-now-confirm');
  await page.waitForFunction(() => String((globalThis as any).document.getElementById('notice').textContent).startsWith('run-now'));
  return (await page.textContent('#notice')) ?? '';
}

test('the dashboard loads, charts move with the WebSocket, run-now works with the token and is refused without', { skip, timeout: 60_000 }, async () => {
  const svc = await service();
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('401')) problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${svc.base}/tactus/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'tactus');
    assert.match((await page.textContent('#notice')) ?? '', /enter the token/);

    // Connect with the token typed into the page.
    await page.fill('#token', TOKEN);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#connection.on');
    await page.waitForSelector('tr[data-task="piezo.control"]');

    // The charts move with the socket.
    const jitterBefore = await points(page, 'jitter-chart');
    await page.waitForFunction((before) => Number((globalThis as any).document.getElementById('jitter-chart').dataset.points) >= before + 5, jitterBefore);
    assert.ok((await points(page, 'exec-chart')) > 0);
    // Seed 002's streams: the 1 kHz force/torque sensor (thread) and the camera (process), downsampled to 20 Hz.
    await page.waitForFunction(() => Number((globalThis as any).document.getElementById('data-ft_sample')?.dataset.points) >= 5);
    await page.waitForFunction(() => Number((globalThis as any).document.getElementById('data-frame')?.dataset.points) >= 5);
    await page.waitForSelector('tr[data-worker="ft.sensor"]');
    await page.waitForFunction(() => String((globalThis as any).document.getElementById('hud').textContent).includes('GPU'));
    assert.ok(await page.evaluate(() => (globalThis as any).document.querySelector('#jitter-chart canvas').width > 0));

    // Run-now with the token: accepted, audited, and the override shows in the timeline.
    const accepted = await runNow(page, 'piezo.control', 'e2e drill');
    assert.match(accepted, /accepted/);
    assert.equal(svc.overrides.length, 1);
    assert.equal(svc.overrides[0]?.reason, 'e2e drill');
    await page.waitForSelector('#events li.safety-override');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // Without the token: refused with 401, nothing reaches the scheduler.
    await page.click('#forget');
    const refused = await runNow(page, 'piezo.control', 'no token');
    assert.match(refused, /refused: 401 ERR_TACTUS_UNAUTHORIZED/);
    assert.equal(svc.overrides.length, 1);
    assert.equal(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('tactus.token')), null, 'the token is gone from the session');

    assert.deepEqual(problems, [], 'no page errors and no CSP violations');
  } finally {
    await browser.close();
    await svc.close();
  }
});
