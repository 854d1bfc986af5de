/**
 * The runbook from the examples: sections present in Markdown and HTML, the HTML self-contained
 * (no URL in src/href/url()), the compliance table, the journal with both runs of an interrupted
 * apply and its resume, plan/verify/facts sections, manual steps left, and redaction.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRunbook, loadRunbookSources, siteRunbookDoc } from '../../../electron/core/runbook/export.js';
import { JournalWriter } from '../../../electron/core/runner/journal.js';
import { SecretSet } from '../../../electron/core/runner/redact.js';
import { journalPath, loadLatest, saveLatest } from '../../../electron/core/runner/state.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import { remainingSteps } from '../../../shared/runbook/build.js';
import { toHtml, toMarkdown } from '../../../shared/runbook/doc.js';
import { EXAMPLES, example, externalRefs, samplePlan, sampleVerify, twoRuns } from './fixtures.js';

const SECTIONS = ['## Site', '## Preflight findings', '## Steps in order', '## Manual steps left', '## Generated files', '## Sign-off'];
const ENV = {} as NodeJS.ProcessEnv;

describe('runbook from the examples (plan document: nothing ran yet)', () => {
  for (const name of EXAMPLES)
    it(`${name}: Markdown and HTML have every section; the HTML loads nothing from outside`, () => {
      const site = example(name);
      const doc = siteRunbookDoc(site, { journal: [] }, { env: ENV, generatedAt: '2026-05-01T00:00:00Z' });
      const md = toMarkdown(doc);
      for (const s of SECTIONS) expect(md, `${name} ${s}`).toContain(s);
      expect(md).toContain('Plan document for change control');
      expect(md).not.toContain('## Executed steps');
      expect(md).toContain(site.name);
      const html = toHtml(doc);
      for (const id of ['site', 'findings', 'steps', 'remaining', 'artifacts', 'signoff']) expect(html).toContain(`id="${id}"`);
      expect(externalRefs(html)).toEqual([]);
      expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
      expect(html).not.toMatch(/<script/i);
      // Every generated script is in the record, prepare.ps1 of the first server included.
      expect(md).toContain(`servers/${site.servers[0]!.label}/prepare.ps1`);
      expect(md).toContain(`servers/${site.servers[0]!.label}/verify.ps1`);
    });

  it('the external-reference check itself catches src/href/url() URLs', () => {
    expect(externalRefs('<img src="https://x.example/a.png">')).not.toEqual([]);
    expect(externalRefs('<a href="//cdn.example/x">x</a>')).not.toEqual([]);
    expect(externalRefs('<div style="background:url(http://x/y.png)">')).not.toEqual([]);
    expect(externalRefs('<style>body{background:url("https://x/y.png")}</style>')).not.toEqual([]);
    expect(externalRefs('<svg xmlns="http://www.w3.org/2000/svg"><path marker-end="url(#a)"/></svg>')).toEqual([]);
    expect(externalRefs('<pre><code>data = json.dumps(x) # see https://example.org/</code></pre>')).toEqual([]);
  });

  it('paragon: the compliance table with the seed 003 requirements', () => {
    const md = toMarkdown(siteRunbookDoc(example('paragon'), { journal: [] }, { env: ENV }));
    expect(md).toContain('## Compliance: linux-haproxy, SNAT');
    const section = md.slice(md.indexOf('## Compliance'), md.indexOf('## Steps in order'));
    expect(section).toMatch(/\| Requirement \| Source \| How it is met \| Status \|/);
    expect(section).toMatch(/half-open/i);
    expect(section).toMatch(/seed 003/);
    expect(section.split('\n').filter((l) => /\| (met|emulated|not-met|not-applicable) \|$/.test(l)).length).toBeGreaterThanOrEqual(5);
    const html = toHtml(siteRunbookDoc(example('paragon'), { journal: [] }, { env: ENV }));
    expect(html).toMatch(/<td class="met">met<\/td>/);
  });
});

describe('runbook as the record', () => {
  it('shows both runs of an interrupted apply and its resume, each step with output and timing', () => {
    const site = example('lab-snat');
    const md = toMarkdown(siteRunbookDoc(site, { journal: twoRuns(), plan: samplePlan(site.name), verify: sampleVerify(site.name) }, { env: ENV }));
    expect(md).toContain('Record of the work done');
    expect(md).toContain('## Executed steps');
    expect(md).toContain('### Run run-A (apply)');
    expect(md).toContain('### Run run-B (apply)');
    expect(md).toMatch(/run `run-A`.*did not finish/);
    expect(md).toMatch(/run `run-B`.*ended ok — every host serves the new configuration/);
    expect(md).toContain('| 2026-05-01T10:00:02.000Z | pha-lb2 | Upload haproxy.cfg | changed | 1.5 s |');
    expect(md).toContain('$ systemctl reload haproxy\nreloaded');
    expect(md).toContain('VIP stays on pha-lb1');
    // plan and verification
    expect(md).toContain('## Plan');
    expect(md).toContain('**OptionalNames**: ["OLD"] → ["OLD","Dispatcher"]');
    expect(md).toContain('## Verification');
    expect(md).toContain('### System overview');
    expect(md).toMatch(/\|\s+PS1 \| 10\.99\.0\.21 \| 445 \| weight 100, 0 conns \| up \|/);
    // pha-lb1 and the servers have no completed step: still to do
    expect(md).toMatch(/Balancer node pha-lb1 \(10\.99\.0\.11\): no completed step/);
    expect(md).not.toMatch(/Balancer node pha-lb2 .*no completed step/);
    expect(md).toMatch(/Print server PS1 .*prepare\.ps1/);
  });

  it('lists the DNS record as a manual step when the site names no DNS server', () => {
    const site = example('phoenix-snat');
    const noDns = { ...site };
    delete (noDns as { dns?: unknown }).dns;
    const steps = remainingSteps(resolveSite(noDns), []);
    expect(steps.some((s) => s.startsWith('MANUAL: create a DNS host (A) record "Dispatcher"'))).toBe(true);
    const withDns = remainingSteps(resolveSite({ ...site, dns: { server: '192.168.81.5', zone: 'corp.example.com' } }), []);
    expect(withDns.some((s) => s.startsWith('MANUAL: create a DNS'))).toBe(false);
    // F5: loading tmsh.txt is always manual
    const f5 = remainingSteps(resolveSite({ ...site, balancer: { ...site.balancer, platform: 'f5-bigip' } }), []);
    expect(f5.some((s) => s.includes('`balancer/tmsh.txt` on the BIG-IP'))).toBe(true);
  });

  it('shows discovered facts and uses them for findings', () => {
    const site = example('lab-snat');
    const doc = siteRunbookDoc(
      site,
      {
        journal: [],
        facts: {
          collectedAt: '2026-05-01T09:00:00Z',
          servers: [
            { label: 'PS1', reachable: true, computerName: 'PS1', domainMember: true, domain: 'corp', printServerRole: true, printerShares: ['A', 'B'], nics: [{ alias: 'Ethernet', index: 3, addresses: ['10.99.0.21'], netbiosOptions: 0 }] },
            { label: 'PS2', reachable: true, computerName: 'PS2', domainMember: true, domain: 'corp', printServerRole: true, printerShares: ['A'], nics: [{ alias: 'Ethernet', index: 3, addresses: ['10.99.0.22'], netbiosOptions: 2 }] },
          ],
        },
      },
      { env: ENV },
    );
    const md = toMarkdown(doc);
    expect(md).toContain('## Discovered facts');
    expect(md).toContain('| PS1 | yes | PS1 / corp | yes | 2: A, B | Ethernet: ENABLED |');
    // A rule that needs facts fired: the printer shares differ between the servers.
    const findings = md.slice(md.indexOf('## Preflight findings'), md.indexOf('## Compliance'));
    expect(findings).toMatch(/share/i);
    expect(findings).not.toContain('No findings');
  });
});

describe('exportRunbook with a state directory', () => {
  it('reads journal, latest plan/verify/facts and redacts every secret of the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-rb-'));
    const env = { PRINTHA_SSH_PASSWORD: 'Zebra-Quartz-8812', PRINTHA_WINDOWS_PASSWORD: 'Wombat!Lantern#33' } as NodeJS.ProcessEnv;
    const site = example('lab-snat');
    // A journal written without the secret registered (e.g. by an older run) still leaks nothing.
    const j = new JournalWriter(journalPath(dir), 'run-X', (t) => t);
    j.write({ kind: 'run-start', verb: 'apply' });
    j.write({ kind: 'step-end', host: 'PS1', step: 'prepare', title: 'prepare.ps1', result: 'changed', command: 'connect with Wombat!Lantern#33', output: 'password: Zebra-Quartz-8812\nok', durationMs: 20 });
    j.close();
    const plan = samplePlan(site.name);
    plan.notes.push('ssh pass Zebra-Quartz-8812');
    saveLatest(dir, 'plan', plan);
    saveLatest(dir, 'verify', sampleVerify(site.name));
    expect(loadLatest(dir, 'plan')?.value.notes).toContain('ssh pass Zebra-Quartz-8812');
    const src = loadRunbookSources(dir);
    expect(src.journal).toHaveLength(2);
    expect(src.plan?.site).toBe(site.name);
    expect(src.verify?.ok).toBe(true);
    for (const format of ['md', 'html'] as const) {
      const out = join(dir, `rb.${format}`);
      await exportRunbook(site, dir, format, out, { env });
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('prepare.ps1');
      expect(text).toContain('[REDACTED]');
      for (const secret of ['Zebra-Quartz-8812', 'Wombat!Lantern#33', 'Wombat!Lantern#33'.replace('!', '&#33;')]) expect(text, `${format} leaks`).not.toContain(secret);
    }
  });

  it('saveLatest redacts with the redactor it is given; loadLatest ignores foreign files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printha-state-'));
    const s = new SecretSet();
    s.add('Sekrit-Value-9');
    const path = saveLatest(dir, 'facts', { servers: [{ label: 'PS1', reachable: false, error: 'login Sekrit-Value-9 refused' }] }, s.redactor());
    expect(readFileSync(path, 'utf8')).not.toContain('Sekrit-Value-9');
    expect(loadLatest(dir, 'facts')?.value.servers?.[0]?.error).toBe('login [REDACTED] refused');
    expect(loadLatest(dir, 'verify')).toBeUndefined();
  });
});

describe('runbook CLI verb', () => {
  it('takes a plan and a verification report saved with --json, and names a bad one', async () => {
    const { runbookCommand } = await import('../../../electron/cli/commands/runbook.js');
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'printha-rbcli-'));
    const site = example('lab-snat');
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(samplePlan(site.name)));
    writeFileSync(join(dir, 'verify.json'), JSON.stringify(sampleVerify(site.name)));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ site: 'x' }));
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), env: { PRINTHA_STATE_DIR: join(dir, 'state') }, cwd: dir };
    const siteFile = join(import.meta.dirname, '../../../examples/lab-snat.yaml');
    expect(await runbookCommand.run([siteFile, '--out', join(dir, 'rb.md'), '--plan', join(dir, 'plan.json'), '--verify', join(dir, 'verify.json')], io)).toBe(0);
    const md = readFileSync(join(dir, 'rb.md'), 'utf8');
    expect(md).toContain('## Plan');
    expect(md).toContain('## Verification');
    expect(err).toMatch(/Runbook \(md, \d+ bytes\) written: .*Plan.*Verification/);
    await expect(runbookCommand.run([siteFile, '--out', join(dir, 'x.md'), '--plan', join(dir, 'bad.json')], io)).rejects.toThrow(/is not a PrintHA plan \(createdAt/);
    await expect(runbookCommand.run([siteFile, '--out', join(dir, 'x.txt')], io)).rejects.toThrow(/--format must be md, html or pdf/);
  });
});
