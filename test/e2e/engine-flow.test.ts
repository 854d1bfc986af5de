/**
 * The engine steps in a real browser without the lab: the bridge in-process with a scripted
 * engine (test/support/fake-core.ts). Host key (SHA256 fingerprint) and password dialogs, plan,
 * apply with its journal, verify with the System Overview, and the changed-host-key hard stop.
 * The same path against the real engines and the lab is in wizard.test.ts (PRINTHA_LAB=1).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../electron/bridge/server.js';
import { fakeCore, FINGERPRINT, type EngineLog } from '../support/fake-core.js';
import { answerUntil, ensureRendererBuilt, hasChromium, launchBrowser, ROOT, type Browser } from './support/browser.js';

if (!hasChromium) console.warn('e2e engine flow skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

describe.skipIf(!hasChromium)('engine steps in the browser (scripted engine)', () => {
  const log: EngineLog = {};
  let bridge: Bridge;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt();
    bridge = await startBridge({ core: fakeCore({ log }), staticDir: join(ROOT, 'out', 'renderer') });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
  });

  it('discover, plan, apply, verify; a changed host key stops with a dialog', async () => {
    await page.goto(bridge.url);
    await page.getByTestId('example-lab-snat').click();
    await page.getByRole('heading', { level: 1, name: 'Preflight' }).waitFor();

    await page.getByTestId('nav-discover').click();
    await page.getByRole('button', { name: 'Discover', exact: true }).click();
    const fingerprints: string[] = [];
    await page.getByTestId('hostkey-dialog').waitFor();
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'scripted-engine-08-hostkey.png') });
    await answerUntil(page, 'discover-hosts', 'e2e-Pa55', fingerprints);
    expect(fingerprints).toEqual([FINGERPRINT]);
    expect(log.secret).toBe('e2e-Pa55');
    expect(await page.locator('[data-testid=discover-hosts] tr.bad').count()).toBe(0);
    expect(await page.content()).not.toContain('e2e-Pa55');

    await page.getByTestId('nav-plan').click();
    await page.getByRole('button', { name: 'Make the plan' }).click();
    await page.locator('details.host-plan').first().waitFor();
    expect(await page.locator('details.host-plan').first().textContent()).toContain('Upload haproxy.cfg');

    await page.getByTestId('nav-apply').click();
    await page.getByLabel(/I reviewed the plan/).check();
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await answerUntil(page, 'apply-result', 'e2e-Pa55', fingerprints);
    expect(await page.getByTestId('apply-result').textContent()).toMatch(/Applied\..*serving the new configuration/);
    expect(await page.getByRole('region', { name: 'Host lb1' }).textContent()).toContain('cp /etc/haproxy/haproxy.cfg');
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'scripted-engine-10-apply.png') });

    await page.getByTestId('nav-verify').click();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await answerUntil(page, 'verify-summary', 'e2e-Pa55', fingerprints);
    const states = await page
      .locator('[data-testid=system-overview] tr.real')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
    expect(states).toEqual(['up', 'drain']);
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'scripted-engine-11-verify.png') });

    log.rekeyed = true;
    await page.getByTestId('nav-discover').click();
    await page.getByRole('button', { name: 'Discover again', exact: true }).click();
    const dlg = page.getByTestId('hostkey-changed-dialog');
    await dlg.waitFor();
    expect(await dlg.textContent()).toMatch(/10\.99\.0\.11.*CHANGED|CHANGED.*10\.99\.0\.11/s);
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'scripted-engine-08-hostkey-changed.png') });
  });
});
