/**
 * The offline script pack's README.md: the runbook's manual version. For sites PrintHA cannot reach,
 * the engineer runs every step by hand, in order, with the exact command for each file; the scripts
 * write their JSON into results/, and `printha import` brings those results back into the journal.
 */
import type { ResolvedSite } from '../model/resolve.js';
import { shellJoin } from '../quote/posix.js';
import type { Artifact } from '../render/artifact.js';
import type { Block, RunbookDoc } from '../runbook/doc.js';
import { toMarkdown } from '../runbook/doc.js';
import { linuxHaproxyPlacements, nodeOrder, type Placement } from './files.js';
import { RUNNER_NAME } from './wrapper.js';

export const RESULTS_DIR = 'results';

/** results\<label>-<script>[-<suffix>].json: the name the README tells the engineer to use. */
export function resultFileName(label: string, script: 'prepare' | 'verify' | 'dns-record', suffix?: string): string {
  return `${script === 'dns-record' ? 'dns-record' : `${label}-${script}`}${suffix ? `-${suffix}` : ''}.json`;
}

/** The exact Windows command for one pack script (run in the pack folder). */
export function runnerCommand(scriptPath: string, resultName: string, dryRun = false): string {
  const win = (p: string) => `.\\${p.replace(/\//g, '\\')}`;
  return `powershell.exe -NoProfile -ExecutionPolicy Bypass -File ${win(RUNNER_NAME)} -Script ${win(scriptPath)} -ResultPath ${win(`${RESULTS_DIR}/${resultName}`)}${dryRun ? ' -DryRun' : ''}`;
}

const STAGING = '/root/printha-pack';

function sshTarget(n: ResolvedSite['nodes'][number]): string {
  return `${n.user}@${n.address}`;
}

function sudo(n: ResolvedSite['nodes'][number], argv: string[]): string[] {
  return n.user === 'root' ? argv : ['sudo', ...argv];
}

/** The commands for one linux-haproxy node: copy, validate, back up, install, activate. */
export function linuxHaproxyNodeCommands(node: ResolvedSite['nodes'][number], placements: readonly Placement[]): { local: string[]; remote: string[] } {
  const mine = placements.filter((p) => p.nodes.includes(node.name));
  const staging = node.user === 'root' ? STAGING : `/home/${node.user}/printha-pack`;
  const base = (p: Placement) => p.artifact.slice('balancer/'.length);
  const local = [
    shellJoin(['ssh', '-p', String(node.port), sshTarget(node), shellJoin(['mkdir', '-p', staging])]),
    shellJoin(['scp', '-P', String(node.port), ...mine.map((p) => p.artifact), `${sshTarget(node)}:${staging}/`]),
    shellJoin(['ssh', '-p', String(node.port), sshTarget(node)]),
  ];
  const remote: string[] = [shellJoin(['cd', staging])];
  for (const p of mine) if (p.validate) remote.push(shellJoin(sudo(node, p.validate.map((a) => (a === '%s' ? base(p) : a)))));
  for (const p of mine) {
    remote.push(`if [ -e ${shellJoin([p.dest])} ]; then ${shellJoin(sudo(node, ['cp', '-p', p.dest, `${p.dest}.printha-backup`]))}; fi`);
    remote.push(shellJoin(sudo(node, ['install', '-D', '-o', 'root', '-g', 'root', '-m', p.mode, base(p), p.dest])));
  }
  const seen = new Set<string>();
  for (const p of mine)
    if (p.activate) {
      const cmd = shellJoin(sudo(node, p.activate));
      if (!seen.has(cmd)) remote.push(cmd);
      seen.add(cmd);
    }
  return { local, remote };
}

function balancerBlocks(r: ResolvedSite, artifacts: readonly Artifact[]): Block[] {
  const s = r.site;
  const out: Block[] = [{ kind: 'heading', level: 1, text: '5. Balancer', id: 'balancer' }];
  const pf = s.balancer.platform;
  if (pf === 'linux-haproxy') {
    const placements = linuxHaproxyPlacements(r, artifacts);
    out.push({
      kind: 'para',
      text: `From a Linux or macOS shell (or Windows OpenSSH) in the pack folder. One node at a time${r.nodes.length > 1 ? ', the secondary first so the VIP holder changes last' : ''}; every file is validated before it replaces the old one, and the old one is kept as \`<file>.printha-backup\`.`,
    });
    out.push({ kind: 'table', head: ['File', 'Goes to', 'Nodes', 'Checked with'], rows: placements.map((p) => [p.artifact, p.dest, p.nodes.join(', '), p.validate ? p.validate.map((a) => (a === '%s' ? '<file>' : a)).join(' ') : '']) });
    for (const n of nodeOrder(r)) {
      const c = linuxHaproxyNodeCommands(n, placements);
      out.push({ kind: 'heading', level: 2, text: `${n.name} (${n.role}, ${n.address})` });
      out.push({ kind: 'code', lang: 'sh', title: 'On your workstation', text: c.local.join('\n') + '\n' });
      out.push({ kind: 'code', lang: 'sh', title: `On ${n.name}`, text: c.remote.join('\n') + '\n' });
      out.push({
        kind: 'para',
        text: `If a check fails, stop: nothing was replaced. If the service misbehaves after the reload, put the backups back (\`cp -p <file>.printha-backup <file>\`) and reload again.`,
      });
    }
    if (r.nodes.length > 1) out.push({ kind: 'para', text: `Then check that exactly one node holds the VIP: \`ip -br addr | grep ${s.vip}\` on each node.` });
  } else if (pf === 'loadbalancer-org') {
    const n = r.nodes[0]!;
    out.push({ kind: 'para', text: `On the ${r.nodes.length > 1 ? 'ACTIVE ' : ''}Loadbalancer.org appliance ${n.address} (changes there replicate to the passive peer). \`lbcli.sh\` checks the node is active, backs up lb_config.xml, installs the half-open check scripts, creates the VIPs and real servers and reloads.` });
    out.push({
      kind: 'code',
      lang: 'sh',
      title: 'On your workstation',
      text: [shellJoin(['scp', '-P', String(n.port), 'balancer/lbcli.sh', `${sshTarget(n)}:/root/printha-lbcli.sh`]), shellJoin(['ssh', '-p', String(n.port), sshTarget(n), shellJoin(['sh', '/root/printha-lbcli.sh'])])].join('\n') + '\n',
    });
  } else if (pf === 'f5-bigip') {
    out.push({ kind: 'para', text: 'On the BIG-IP (admin shell): copy `balancer/tmsh.txt` to /var/tmp, merge it, then save and synchronise to the HA peer.' });
    out.push({ kind: 'code', lang: 'sh', text: 'tmsh -q load sys config merge file /var/tmp/tmsh.txt verify\ntmsh -q load sys config merge file /var/tmp/tmsh.txt\ntmsh save sys config\n' });
  } else {
    out.push({ kind: 'para', text: 'On the NetScaler (nsroot CLI): copy `balancer/netscaler.conf` to /var/tmp, run it as a batch, then save.' });
    out.push({ kind: 'code', lang: 'sh', text: 'batch -fileName /var/tmp/netscaler.conf\nsave ns config\n' });
  }
  return out;
}

export interface PackReadmeOptions {
  /** The site file's name inside the pack (for the import command). */
  siteFile: string;
  generatedAt: string;
}

export function packReadmeDoc(r: ResolvedSite, artifacts: readonly Artifact[], opts: PackReadmeOptions): RunbookDoc {
  const s = r.site;
  const servers = s.servers;
  const has = (p: string) => artifacts.some((a) => a.path === p);
  const b: Block[] = [];
  b.push({
    kind: 'note',
    tone: 'info',
    text: 'Offline script pack: for sites where PrintHA cannot reach the hosts. Run every step below by hand, in order. Each script writes its result into the `results` folder; bring that folder back and run `printha import` so the runbook records what was done.',
  });
  b.push({ kind: 'heading', level: 1, text: 'What is in this pack', id: 'contents' });
  b.push({
    kind: 'table',
    head: ['File', 'Runs on / goes to', 'What it is'],
    rows: [
      [RUNNER_NAME, 'each Windows server', 'Runs one script and saves its JSON result into results\\ (for `printha import`)'],
      ...artifacts.map((a) => [a.path, a.target, a.description]),
      [`${RESULTS_DIR}/`, 'engineer', 'The scripts write their results here; bring it back for `printha import`'],
      [opts.siteFile, 'engineer', 'The site file this pack was generated from'],
      ['manifest.json', 'engineer', 'sha256 of every file: check nothing was altered in transit'],
    ],
  });
  b.push({ kind: 'heading', level: 1, text: '1. Before you start', id: 'start' });
  b.push({
    kind: 'list',
    ordered: true,
    items: [
      `Prerequisites on every print server (${servers.map((x) => x.label).join(', ')}): member of the Windows domain, Print Server role installed, every printer shared with the SAME share names on all servers, ${r.profile.title} installed.`,
      'Copy the whole pack folder (or the zip, then Extract All) to each print server, e.g. to C:\\PrintHA. Keep the folder structure.',
      'Open Windows PowerShell **as Administrator** (Windows PowerShell 3.0 or later) and `cd C:\\PrintHA`.',
      'The commands below keep results for every server apart by name, so you can copy each server\'s results folder back into one results folder on your laptop.',
    ],
  });
  b.push({ kind: 'heading', level: 1, text: '2. Check each server (read-only)', id: 'check' });
  for (const x of servers)
    if (has(`servers/${x.label}/verify.ps1`)) b.push({ kind: 'code', lang: 'powershell', title: `On ${x.label} (${x.address})`, text: runnerCommand(`servers/${x.label}/verify.ps1`, resultFileName(x.label, 'verify', 'before')) + '\n' });
  b.push({ kind: 'para', text: 'Read the checks it prints; fix missing prerequisites (domain, Print Server role, printer shares) before going on.' });
  b.push({ kind: 'heading', level: 1, text: '3. Prepare each server', id: 'prepare' });
  b.push({
    kind: 'para',
    text:
      (s.mode === 'dr' ? 'Adds the Microsoft KM-TEST Loopback Adapter with the VIP and sets weak host send/receive (the ARP problem), then ' : 'Sets ') +
      `DisableLoopbackCheck = 1, DisableStrictNameChecking = 1, adds ${s.shareName} to OptionalNames (keeping existing names) and disables NetBIOS over TCP/IP on every interface. Idempotent: a second run changes nothing. Optional first: add \`-DryRun\` to see what would change.`,
  });
  for (const x of servers)
    b.push({
      kind: 'code',
      lang: 'powershell',
      title: `On ${x.label} (${x.address})`,
      text: `${runnerCommand(`servers/${x.label}/prepare.ps1`, resultFileName(x.label, 'prepare', 'dryrun'), true)}\n${runnerCommand(`servers/${x.label}/prepare.ps1`, resultFileName(x.label, 'prepare'))}\n`,
    });
  b.push({ kind: 'heading', level: 1, text: '4. Reboot, one server at a time', id: 'reboot' });
  b.push({
    kind: 'para',
    text: `Reboot each server only after the previous one is back and printing${servers.length === 1 ? ' (a single server means a print outage during its reboot)' : ''}:`,
  });
  b.push({ kind: 'code', lang: 'powershell', text: 'Restart-Computer -Force\n' });
  b.push(...balancerBlocks(r, artifacts));
  b.push({ kind: 'heading', level: 1, text: '6. DNS record', id: 'dns' });
  if (s.dns && has('dns/record.ps1'))
    b.push(
      { kind: 'para', text: `A${r.family === 6 ? 'AAAA' : ''} record ${s.shareName}.${s.dns.zone} → ${s.vip} on ${s.dns.server}. Run on the DNS server (or a machine with the DnsServer module and rights on the zone); it never replaces a record that points elsewhere.` },
      { kind: 'code', lang: 'powershell', text: runnerCommand('dns/record.ps1', resultFileName('', 'dns-record')) + '\n' },
    );
  else b.push({ kind: 'para', text: `MANUAL: create a DNS host (${r.family === 6 ? 'AAAA' : 'A'}) record "${s.shareName}" → ${s.vip} in the clients' DNS zone (the site file names no DNS server).` });
  b.push({ kind: 'heading', level: 1, text: '7. Verify each server', id: 'verify' });
  for (const x of servers)
    if (has(`servers/${x.label}/verify.ps1`)) b.push({ kind: 'code', lang: 'powershell', title: `On ${x.label}`, text: runnerCommand(`servers/${x.label}/verify.ps1`, resultFileName(x.label, 'verify')) + '\n' });
  b.push({ kind: 'heading', level: 1, text: '8. Test from a client', id: 'test' });
  b.push({
    kind: 'list',
    ordered: true,
    items: [
      `Browse to \\\\${s.vip} and to \\\\${s.shareName}: the shared printers must be listed.`,
      "Check every real server is up in the balancer's status view.",
      'Print a test page through the share name.',
    ],
  });
  b.push({ kind: 'heading', level: 1, text: '9. Bring the results back', id: 'import' });
  b.push({
    kind: 'para',
    text: 'Copy the `results` folder of every server into one folder next to the site file on the PrintHA laptop, then import it: every step lands in the journal with its before/after values, verify results become the servers\' facts, and the runbook is complete.',
  });
  b.push({ kind: 'code', lang: 'sh', text: `npm run --silent printha -- import ${opts.siteFile} results/\nnpm run --silent printha -- runbook ${opts.siteFile} --format html --out runbook.html\n` });
  b.push({ kind: 'heading', level: 1, text: 'Sign-off', id: 'signoff' });
  b.push({ kind: 'table', head: ['Role', 'Name', 'Date', 'Signature'], rows: [['Field engineer', '', '', ''], ['Customer', '', '', '']] });
  return { title: `PrintHA script pack: ${s.name}`, subtitle: `Generated by PrintHA ${opts.generatedAt}`, blocks: b };
}

export function packReadme(r: ResolvedSite, artifacts: readonly Artifact[], opts: PackReadmeOptions): string {
  return toMarkdown(packReadmeDoc(r, artifacts, opts));
}
