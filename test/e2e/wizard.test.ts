/**
 * End to end in browser mode: `printha ui --no-open` (child process, 127.0.0.1, random port) driven
 * by Debian's Chromium through playwright-core. A person's path through the wizard for
 * examples/lab-snat.yaml typed in field by field; inline errors that block Next; a reload mid-way;
 * preflight clean; the plan shows generated files. Screenshots of every step: docs/screenshots/.
 * The lab part runs only inside the lab: the whole job in the scope "Balancer and print servers"
 * (host keys, discover, plan, apply with the rolling reboot, verify with the Windows checks, runbook),
 * then the scope "Balancer only" (the engineer's manual steps) and a changed host key.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultCore } from '../../electron/core/rpc/defaults.js';
import { validateSiteYaml } from '../../shared/rules/index.js';
import { resetBalancers } from '../integration/appliance-lab.js';
import { dnsAdd, setAliases, winFaultReset, winReset } from '../lab/lab.js';
import {
  answerUntil,
  ensureRendererBuilt,
  hasChromium,
  launchBrowser,
  ROOT,
  startUi,
  type Browser,
  type UiProcess,
} from './support/browser.js';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const LAB_SITE = readFileSync(join(ROOT, 'examples', 'lab-snat.yaml'), 'utf8');

if (!hasChromium) console.warn('e2e skipped: /usr/bin/chromium is not installed (apt-get install chromium).');

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function next(page: Page, expectHeading: string): Promise<void> {
  await page.getByTestId('next').click();
  await page.getByRole('heading', { level: 1, name: expectHeading }).waitFor();
}

describe.skipIf(!hasChromium)('wizard in browser mode', () => {
  let ui: UiProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt((s) => console.log(`e2e: ${s}`));
    ui = await startUi({ PRINTHA_KNOWN_HOSTS: join(mkdtempSync(join(tmpdir(), 'pha-e2e-')), 'known_hosts') });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('refuses the page without the token', async () => {
    const r = await page.goto(ui.origin + '/');
    expect(r?.status()).toBe(403);
  });

  it('lab-snat typed in field by field: inline errors block Next, a reload keeps the site, preflight clean, plan shows generated files', async () => {
    await page.goto(ui.url);
    await page.getByRole('button', { name: 'New site' }).waitFor();
    await shot(page, '01-start');
    await page.getByRole('button', { name: 'New site' }).click();

    // Product and services
    await page.getByRole('heading', { level: 1, name: 'Product and services' }).waitFor();
    await page.getByLabel('Site name', { exact: true }).fill('PrintHA lab - Linux HAProxy SNAT pair');
    await page.getByLabel('Product', { exact: true }).selectOption('dispatcher-phoenix');
    await page.getByRole('checkbox', { name: /KMBS BEST Server/ }).check();
    await page.getByRole('checkbox', { name: /KMBS LPR Service/ }).check();
    await shot(page, '02-product');
    await next(page, 'Platform and mode');

    // Platform and mode
    await page.getByLabel('Load balancer platform', { exact: true }).selectOption('linux-haproxy');
    await expect(page.getByText(/8 times quicker than NAT for HTTP/).isVisible()).resolves.toBe(true);
    await expect(page.getByText(/Port translation is impossible in DR mode/).isVisible()).resolves.toBe(true);
    await page.getByRole('radio', { name: /Layer 7 SNAT/ }).check();
    await shot(page, '03-mode');
    await next(page, 'Network');

    // Network: a wrong IP and a too-long share name show inline errors and block Next
    const vip = page.getByLabel('Virtual IP address (VIP)', { exact: true });
    const share = page.getByLabel('Share name', { exact: true });
    await vip.pressSequentially('10.99.0.300');
    await share.pressSequentially('DispatcherPhoenixHA');
    await expect(page.getByText('"10.99.0.300" is not an IPv4 or IPv6 address').isVisible()).resolves.toBe(true);
    await expect(page.getByText(/has 19 characters; a NetBIOS name has at most 15/).isVisible()).resolves.toBe(true);
    expect(await vip.getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('next').click();
    await expect(page.getByTestId('blocked').textContent()).resolves.toMatch(/Fix the highlighted fields/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Network');
    await shot(page, '04-network-errors');
    await vip.fill('10.99.0.10');
    await share.fill('Dispatcher');
    await page.getByLabel('DNS server address', { exact: true }).fill('10.99.0.53');
    await page.getByLabel('DNS zone', { exact: true }).fill('lab.printha.test');
    expect(await page.getByLabel('Subnet prefix length', { exact: true }).inputValue()).toBe('24');

    // Reload mid-way: the site (and the step) are still there.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
    expect(await page.getByLabel('Virtual IP address (VIP)', { exact: true }).inputValue()).toBe('10.99.0.10');
    expect(await page.getByLabel('DNS zone', { exact: true }).inputValue()).toBe('lab.printha.test');
    await expect(page.getByTestId('site-name').textContent()).resolves.toBe('PrintHA lab - Linux HAProxy SNAT pair');
    const stored = await page.evaluate(() => ({ ...localStorage }));
    expect(Object.keys(stored).sort()).toEqual(['printha.recent.v1', 'printha.site.v1', 'printha.step.v1']);
    await shot(page, '04-network');
    await next(page, 'Balancer');

    // Balancer
    await page.getByLabel('Primary address', { exact: true }).fill('10.99.0.11');
    await page.getByLabel('Node name (its hostname)', { exact: true }).first().fill('pha-lb1');
    await page.getByLabel('Interface for the VIP', { exact: true }).first().fill('eth0');
    await page.getByRole('checkbox', { name: /Add a secondary balancer/ }).check();
    await page.getByLabel('Secondary address', { exact: true }).fill('10.99.0.12');
    await page.getByLabel('Node name (its hostname)', { exact: true }).nth(1).fill('pha-lb2');
    await page.getByLabel('Interface for the VIP', { exact: true }).nth(1).fill('eth0');
    await shot(page, '05-balancer');
    await next(page, 'Print servers');

    // Print servers
    await page.getByLabel('Server 1 label', { exact: true }).fill('PS1');
    await page.getByLabel('Server 1 address', { exact: true }).fill('10.99.0.21');
    await page.getByLabel('Server 1 host name', { exact: true }).fill('pha-ps1.lab.printha.test');
    await page.getByLabel('Server 2 label', { exact: true }).fill('PS2');
    await page.getByLabel('Server 2 address', { exact: true }).fill('10.99.0.22');
    await page.getByLabel('Server 2 host name', { exact: true }).fill('pha-ps2.lab.printha.test');
    await page.getByLabel('PowerShell remoting', { exact: true }).selectOption('ssh');
    await page.getByLabel('Account', { exact: true }).fill('root');
    await shot(page, '06-servers');
    await next(page, 'Preflight');

    // Preflight: clean
    await expect(page.getByTestId('preflight-summary').textContent()).resolves.toBe('No findings: the site passes every preflight rule.');
    await shot(page, '07-preflight');

    // What was typed is the lab site: save it and compare with examples/lab-snat.yaml.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save site…' }).click()]);
    expect(download.suggestedFilename()).toBe('printha-lab-linux-haproxy-snat-pair.yaml');
    const savedText = readFileSync((await download.path())!, 'utf8');
    expect(validateSiteYaml(savedText).site).toEqual(validateSiteYaml(LAB_SITE).site);
    await next(page, 'Discover');
    await shot(page, '08-discover');
    await next(page, 'Plan');

    // Plan: the generated files
    const files = page.getByTestId('generated-files');
    await files.waitFor();
    const paths = await files.locator('.path').allTextContents();
    expect(paths).toEqual(
      expect.arrayContaining(['balancer/haproxy.cfg', 'servers/PS1/prepare.ps1', 'servers/PS2/prepare.ps1', 'runbook.md']),
    );
    expect(paths.some((p) => /keepalived-pha-lb1\.conf$/.test(p))).toBe(true);
    await files.getByRole('button', { name: /balancer\/haproxy\.cfg/ }).click();
    await expect(page.getByLabel('balancer/haproxy.cfg', { exact: true }).textContent()).resolves.toContain('10.99.0.10');
    expect(await page.locator('pre.code .tok-keyword').count()).toBeGreaterThan(0);
    await shot(page, '09-plan');
    await next(page, 'Apply');
    await shot(page, '10-apply');
    await next(page, 'Verify');
    await shot(page, '11-verify');
    await next(page, 'Runbook');
    const [rb] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Markdown' }).click()]);
    expect(readFileSync((await rb.path())!, 'utf8')).toContain('10.99.0.10');
    await shot(page, '12-runbook');

    // Dark theme and keyboard: Tab reaches the step list and Enter moves there.
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.getByTestId('nav-plan').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Plan' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot(page, '13-plan-dark');
  });
});

// ------------------------------------------------------------------------------------------------
// The lab part: needs the lab (PRINTHA_LAB=1, inside the pha-client namespace) and the engines.

function inClientNamespace(): boolean {
  try {
    return execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim() === 'pha-client';
  } catch {
    return false;
  }
}

function enginesAvailable(): boolean {
  const status = createDefaultCore().handlers['engine.status']({}, undefined as never) as {
    discover: { available: boolean };
    apply: { available: boolean };
    verify: { available: boolean };
  };
  return status.discover.available && status.apply.available && status.verify.available;
}

const labReason =
  process.env.PRINTHA_LAB !== '1'
    ? 'PRINTHA_LAB is not 1 (run it with: bash test/lab/run-in-lab.sh npx vitest run --project e2e)'
    : !inClientNamespace()
      ? 'this process is not inside the pha-client network namespace'
      : !enginesAvailable()
        ? 'the discover/apply/verify engines are not wired into this build yet'
        : '';
if (labReason) console.warn(`e2e lab part skipped: ${labReason}.`);
const LAB_PASSWORD = process.env.PRINTHA_LAB_PASSWORD ?? '';
const PS = ['PS1', 'PS2'] as const;

/** The lab as after `lab.sh up`: balancers' files and VIP, clean Windows stand-ins, no record, no alias. */
async function cleanLab(): Promise<void> {
  await resetBalancers();
  for (const n of ['pha-ps1', 'pha-ps2', 'pha-dns'] as const) {
    await winFaultReset(n);
    await winReset(n);
  }
}

type Scope = 'Balancer and print servers' | 'Balancer only';

/** Every row of the Verify checks table: id, target, expectation, observation (why), result. */
async function verifyRows(page: Page): Promise<string[][]> {
  return page
    .locator('table tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')).filter((c) => c.length === 5));
}

/**
 * One engineer's run in the wizard against the lab, from a clean lab: discover, plan, apply, verify,
 * runbook. `shots`: the screenshot name prefix (the full scope is the README's path).
 */
async function labJourney(page: Page, url: string, scope: Scope, shots: string, fingerprints: string[]): Promise<string> {
  const full = scope === 'Balancer and print servers';
  await cleanLab();
  // a fresh wizard: the draft site, step and scope of an earlier journey live in localStorage
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByTestId('example-lab-snat').click();
  await page.getByRole('heading', { level: 1, name: 'Preflight' }).waitFor();

  await page.getByTestId('nav-discover').click();
  await page.getByRole('radio', { name: scope, exact: true }).check();
  if (!full) {
    await expect(page.getByTestId('scope-left-out').textContent()).resolves.toMatch(
      /^Scope: balancer only\. Left out: the print servers PS1 \(10\.99\.0\.21\), PS2 \(10\.99\.0\.22\)/,
    );
  }
  await shot(page, `${shots}-00-scope`);
  await page.getByRole('button', { name: 'Discover', exact: true }).click();
  if (fingerprints.length === 0) {
    await page.getByTestId('hostkey-dialog').waitFor();
    await shot(page, `${shots}-01-hostkey`);
  }
  await answerUntil(page, 'discover-hosts', LAB_PASSWORD, fingerprints, 240_000);
  expect(fingerprints.length).toBeGreaterThan(0);
  for (const f of fingerprints) expect(f).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  expect(await page.locator('table tr.bad').count()).toBe(0);
  const discovered = await page.locator('[data-testid=discover-hosts] tbody tr td:first-child').allTextContents();
  expect(discovered).toEqual(expect.arrayContaining(['pha-lb1', 'pha-lb2']));
  if (full) expect(discovered).toEqual(expect.arrayContaining([...PS]));
  else expect(discovered.some((h) => /^PS\d/.test(h))).toBe(false);
  await shot(page, `${shots}-02-discover`);

  await page.getByTestId('nav-plan').click();
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await page.locator('details.host-plan').first().waitFor({ timeout: 240_000 });
  const planned = await page.locator('details.host-plan > summary > strong').allTextContents();
  expect(planned).toEqual(expect.arrayContaining(['pha-lb1', 'pha-lb2']));
  if (full) expect(planned).toEqual(expect.arrayContaining([...PS, 'dns']));
  else {
    expect(planned.some((h) => /^PS\d/.test(h))).toBe(false);
    await expect(page.getByTestId('plan-notes').textContent()).resolves.toMatch(/Scope: balancer only\. Left out: the print servers PS1/);
  }
  await shot(page, `${shots}-03-plan`);

  await page.getByTestId('nav-apply').click();
  await page.getByLabel(/I reviewed the plan/).check();
  // The rolling reboot, live: PS1's wait step says it is waiting for PS1 to come back.
  const waitLine = page.getByRole('region', { name: 'Host PS1' }).getByText(/waiting for PS1 to come back/).first();
  const waiting = full
    ? waitLine
        .waitFor({ timeout: 600_000 })
        .then(() => waitLine.scrollIntoViewIfNeeded())
        .then(() => shot(page, `${shots}-04-apply-reboot`))
        .then(() => true)
    : Promise.resolve(false);
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await answerUntil(page, 'apply-result', LAB_PASSWORD, fingerprints, 600_000);
  await expect(page.getByTestId('apply-result').getAttribute('class')).resolves.toMatch(/good/);
  const applied = await page.locator('[data-testid=apply-result] li strong').allTextContents();
  expect(applied).toEqual(expect.arrayContaining(['pha-lb1', 'pha-lb2']));
  if (full) {
    expect(await waiting).toBe(true);
    expect(applied).toEqual(expect.arrayContaining([...PS, 'dns']));
    for (const ps of PS) {
      const host = page.getByRole('region', { name: `Host ${ps}` });
      // the wait step of each server: its progress lines and the new boot time
      await expect(host.textContent()).resolves.toMatch(new RegExp(`${ps} is back: new boot time \\d{4}-\\d\\d-\\d\\dT`));
      await expect(page.getByTestId('apply-result').textContent()).resolves.toMatch(new RegExp(`${ps}: prepared: .*restarted \\(one server at a time\\) and back, booted `));
    }
  } else expect(applied.some((h) => /^PS\d/.test(h))).toBe(false);
  await shot(page, `${shots}-04-apply`);

  // Balancer only: the Windows side is the engineer's, by hand or with the offline script pack —
  // here the two steps verify needs: the DNS A record share name -> VIP (what dns/record.ps1 does),
  // and the share name as an alias of each print server (what prepare.ps1's OptionalNames + reboot
  // does; the lab's servers start with none), like test/integration/verify-fixture.ts.
  if (!full) {
    await dnsAdd('Dispatcher', '10.99.0.10');
    for (const n of ['pha-ps1', 'pha-ps2'] as const) await setAliases(n, ['DISPATCHER']);
  }

  await page.getByTestId('nav-verify').click();
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await answerUntil(page, 'verify-summary', LAB_PASSWORD, fingerprints, 240_000);
  const results = await verifyRows(page);
  const failed = results.filter((c) => c[4] === 'fail');
  if (failed.length) await shot(page, `${shots}-05-verify-failed`);
  expect(failed.map((c) => `${c[0]}: ${c[3]}`)).toEqual([]);
  await expect(page.getByTestId('verify-summary').textContent()).resolves.toBe('Every applicable check passed.');
  const states = await page.locator('[data-testid=system-overview] tr.real').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
  expect(states.length).toBeGreaterThan(0);
  expect(states.every((s) => s === 'up')).toBe(true);
  // The client-side checks all ran: TCP through the VIP, the SMB listings, DNS, the balancer's view.
  const byId = new Map(results.map((c) => [c[0]!, c]));
  for (const id of ['smb-vip', 'smb-sharename', 'dns-site', 'balancer-pha-lb1-PS1', 'balancer-pha-lb2-PS2']) expect(byId.get(id)?.[4], id).toBe('pass');
  const throughVip = results.filter((c) => c[0]!.startsWith('tcp-vip-'));
  expect(throughVip.length).toBeGreaterThan(0);
  for (const c of throughVip) expect(c[4], c[0]).toBe('pass');
  for (const ps of PS) {
    if (full) {
      // verify.ps1 on every server, through the same sessions as apply
      expect(byId.get(`windows-verify-${ps}`)?.[4]).toBe('pass');
      expect(byId.get(`windows-verify-${ps}`)?.[3]).toMatch(/^(\d+)\/\1 checks passed/);
      expect(byId.get(`windows-${ps}-registry:OptionalNames:Dispatcher`)?.[4]).toBe('pass');
    } else
      expect(byId.get(`windows-verify-${ps}`)).toEqual([`windows-verify-${ps}`, expect.any(String), expect.any(String), expect.stringMatching(/balancer-only scope/), 'not-applicable']);
  }
  await shot(page, `${shots}-05-verify`);
  if (full) {
    await page.locator('td', { hasText: /^windows-verify-PS1$/ }).first().scrollIntoViewIfNeeded();
    await shot(page, `${shots}-05-verify-windows`);
  }

  // The runbook of the run: every host, and (balancer only) the scope and the hosts left out.
  await page.getByTestId('nav-runbook').click();
  await shot(page, `${shots}-06-runbook`);
  const [rb] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Markdown' }).click()]);
  const runbook = readFileSync((await rb.path())!, 'utf8');
  expect(runbook).toContain('10.99.0.10');
  if (full) for (const ps of PS) expect(runbook).toContain(`windows-verify-${ps}`);
  else expect(runbook).toMatch(/Scope: balancer only\. Left out: the print servers PS1 \(10\.99\.0\.21\), PS2 \(10\.99\.0\.22\)/);
  return runbook;
}

describe.skipIf(!hasChromium || labReason !== '')('wizard against the lab', () => {
  let ui: UiProcess;
  let browser: Browser;
  let page: Page;
  let knownHosts: string;
  const fingerprints: string[] = [];

  beforeAll(async () => {
    ensureRendererBuilt();
    knownHosts = join(mkdtempSync(join(tmpdir(), 'pha-e2e-lab-')), 'known_hosts');
    ui = await startUi({ PRINTHA_KNOWN_HOSTS: knownHosts });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  afterAll(async () => {
    await cleanLab().catch(() => undefined);
    await browser?.close();
    await ui?.stop();
  });

  it('the whole job, scope "Balancer and print servers": host keys accepted, discover, plan, apply with the rolling reboot, verify green with the Windows checks, runbook', async () => {
    await labJourney(page, ui.url, 'Balancer and print servers', 'lab', fingerprints);
  }, 900_000);

  it('scope "Balancer only": the print servers left to the engineer, verify green after the manual steps; a changed host key stops with a dialog', async () => {
    await labJourney(page, ui.url, 'Balancer only', 'lab-bo', fingerprints);

    // The primary balancer's key "changes": PrintHA must stop and say so.
    expect(existsSync(knownHosts)).toBe(true);
    const original = readFileSync(knownHosts, 'utf8');
    copyFileSync(knownHosts, `${knownHosts}.orig`);
    const line = original.split('\n').find((l) => /(^|[\s,[])10\.99\.0\.11([\]\s,:]|$)/.test(l) && !l.startsWith('#'));
    expect(line).toBeDefined();
    const [hosts, type] = line!.split(/\s+/);
    const keyDir = mkdtempSync(join(tmpdir(), 'pha-e2e-key-'));
    const kt = type === 'ssh-rsa' ? 'rsa' : type?.startsWith('ecdsa') ? 'ecdsa' : 'ed25519';
    expect(spawnSync('ssh-keygen', ['-q', '-t', kt, '-N', '', '-f', join(keyDir, 'k')]).status).toBe(0);
    const fake = readFileSync(join(keyDir, 'k.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    writeFileSync(knownHosts, original.replace(line!, `${hosts} ${fake}`));
    try {
      // PrintHA keeps its SSH sessions for the run of the app (keys were checked when they opened):
      // the engineer starts it again — the next day, on site — and discovers. The new instance has
      // another address (another origin, so a fresh wizard): open the lab site again.
      await ui.stop();
      ui = await startUi({ PRINTHA_KNOWN_HOSTS: knownHosts });
      await page.goto(ui.url);
      await page.getByTestId('example-lab-snat').click();
      await page.getByRole('heading', { level: 1, name: 'Preflight' }).waitFor();
      await page.getByTestId('nav-discover').click();
      await page.getByRole('radio', { name: 'Balancer only', exact: true }).check();
      await page.getByRole('button', { name: 'Discover', exact: true }).click();
      const dlg = page.getByTestId('hostkey-changed-dialog');
      await dlg.waitFor({ timeout: 120_000 });
      await expect(dlg.textContent()).resolves.toMatch(/CHANGED/);
      await shot(page, 'lab-07-hostkey-changed');
    } finally {
      writeFileSync(knownHosts, original);
    }
  }, 900_000);
});
