/**
 * TEST FIXTURE STEP for the verify integration tests: put a rendered linux-haproxy SNAT configuration
 * on the lab's balancers by hand, because the apply engine is built in parallel by another helper.
 * Later this can become `printha apply <site> --yes`.
 *
 * fixtureInstallBalancer(sitePath):
 *   1. renders the site with shared/render (renderSite) exactly as `printha render` would;
 *   2. saves the lab's current haproxy.cfg / keepalived.conf of pha-lb1 and pha-lb2;
 *   3. installs haproxy.cfg (checked with `haproxy -c` on the node), printha-halfopen-check when the
 *      site uses it, keepalived-<node>.conf; restarts HAProxy on both nodes and keepalived (lb1 first,
 *      so the VIP is on pha-lb1);
 *   4. adds the DNS A record <shareName> -> VIP on pha-dns (what the DNS step of apply does) and the
 *      share name as a Samba `netbios aliases` on every print server of the site (what prepare.ps1's
 *      OptionalNames + reboot does: the lab's print servers start, like clean Windows servers, with no
 *      alias; the engineer's manual step when the print servers are out of PrintHA's scope);
 *   5. waits until every real server is UP with a completed check in HAProxy on both nodes.
 * The returned restore() puts the saved files back, restarts the daemons, removes the record and the aliases.
 * Everything goes through the lab's node exec (nsenter): no packet leaves from the root namespace.
 */
import { readFileSync } from 'node:fs';
import { loadSiteYaml } from '../../shared/site/load.js';
import type { Site } from '../../shared/site/schema.js';
import { renderSite } from '../../shared/render/index.js';
import { HALFOPEN_CHECK_PATH } from '../../shared/render/halfopen.js';
import { HAPROXY_ADMIN_SOCKET } from '../../shared/render/haproxy.js';
import { dnsAdd, dnsDel, labExec, setAliases, vipOwner, waitFor, type LabNode } from '../lab/lab.js';

const LBS: LabNode[] = ['pha-lb1', 'pha-lb2'];

export function loadLabSite(path: string): Site {
  const r = loadSiteYaml(readFileSync(path, 'utf8'));
  if (!r.ok) throw new Error(`fixture: ${path} is not a valid site: ${r.findings.map((f) => f.message).join('; ')}`);
  return r.site;
}

async function must(node: LabNode, argv: string[], input?: string): Promise<string> {
  const r = await labExec(node, argv, input === undefined ? { timeoutMs: 60_000 } : { input, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`fixture: ${node}: ${argv.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

async function writeFile(node: LabNode, path: string, content: string, mode = '0644'): Promise<void> {
  await must(node, ['sh', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1.fixture-new" && chmod "$2" "$1.fixture-new" && mv -f "$1.fixture-new" "$1"', 'sh', path, mode], content);
}

/** Status of every server line (not FRONTEND/BACKEND) in `show stat` of one node. */
export async function haproxyServerStates(node: LabNode, socket = HAPROXY_ADMIN_SOCKET): Promise<{ proxy: string; server: string; status: string; check: string }[]> {
  const r = await labExec(node, ['socat', '-t', '2', 'stdio', `UNIX-CONNECT:${socket}`], { input: 'show stat\n', timeoutMs: 10_000 });
  const out: { proxy: string; server: string; status: string; check: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('#') || !line.includes(',')) continue;
    const f = line.split(',');
    if (f[1] === 'FRONTEND' || f[1] === 'BACKEND') continue;
    out.push({ proxy: f[0] ?? '', server: f[1] ?? '', status: f[17] ?? '', check: f[36] ?? '' });
  }
  return out;
}

/** The lab print-server node of a site server (10.99.0.(20+K) is pha-psK). */
function printServerNode(address: string): LabNode {
  const m = /^10\.99\.0\.(\d+)$/.exec(address);
  const k = m ? Number(m[1]) - 20 : NaN;
  if (!(k >= 1 && k <= 20)) throw new Error(`fixture: ${address} is not a lab print server`);
  return `pha-ps${k}`;
}

export interface InstalledFixture {
  site: Site;
  restore(): Promise<void>;
}

export async function fixtureInstallBalancer(sitePath: string): Promise<InstalledFixture> {
  const site = loadLabSite(sitePath);
  if (site.balancer.platform !== 'linux-haproxy' || site.mode !== 'snat') throw new Error('fixture: only linux-haproxy SNAT sites can be installed by hand');
  const files = new Map(renderSite(site).map((a) => [a.path, a.content] as const));
  const cfg = files.get('balancer/haproxy.cfg');
  if (!cfg) throw new Error('fixture: no balancer/haproxy.cfg rendered');

  const saved = new Map<LabNode, { haproxy: string; keepalived: string }>();
  for (const n of LBS) {
    saved.set(n, { haproxy: await must(n, ['cat', '/etc/haproxy/haproxy.cfg']), keepalived: await must(n, ['cat', '/etc/keepalived/keepalived.conf']) });
  }

  const restore = async (): Promise<void> => {
    for (const n of LBS) {
      const s = saved.get(n)!;
      await writeFile(n, '/etc/haproxy/haproxy.cfg', s.haproxy);
      await writeFile(n, '/etc/keepalived/keepalived.conf', s.keepalived);
      await must(n, ['systemctl', 'restart', 'haproxy']);
    }
    await restartKeepalived();
    await dnsDel(site.shareName).catch(() => undefined);
    for (const sv of site.servers) await setAliases(printServerNode(sv.address), []).catch(() => undefined);
  };

  try {
    for (const n of LBS) {
      const name = n; // lab node names equal the site's balancer node names (pha-lb1, pha-lb2)
      const script = files.get('balancer/printha-halfopen-check');
      if (script) await writeFile(n, HALFOPEN_CHECK_PATH, script, '0755');
      await writeFile(n, '/etc/haproxy/haproxy.cfg.candidate', cfg);
      await must(n, ['haproxy', '-c', '-q', '-f', '/etc/haproxy/haproxy.cfg.candidate']);
      await must(n, ['mv', '-f', '/etc/haproxy/haproxy.cfg.candidate', '/etc/haproxy/haproxy.cfg']);
      const ka = files.get(`balancer/keepalived-${name}.conf`);
      if (!ka) throw new Error(`fixture: no keepalived conf rendered for ${name}`);
      await writeFile(n, '/etc/keepalived/keepalived.conf', ka);
      await must(n, ['systemctl', 'restart', 'haproxy']);
    }
    await restartKeepalived();
    await dnsAdd(site.shareName, site.vip);
    for (const sv of site.servers) await setAliases(printServerNode(sv.address), [site.shareName.toUpperCase()]);
    let last = '';
    await waitFor(
      'every real server UP with a completed check on pha-lb1 and pha-lb2',
      async () => {
        const seen: string[] = [];
        let ok = true;
        for (const n of LBS) {
          const st = await haproxyServerStates(n);
          seen.push(`${n}: ${st.map((s) => `${s.proxy}/${s.server} ${s.status} ${s.check}`).join(', ') || 'no servers'}`);
          // UP, and the first check has run (HAProxy starts servers UP before checking them)
          if (st.length === 0 || st.some((s) => !s.status.startsWith('UP') || /INI/.test(s.check))) ok = false;
        }
        last = seen.join('; ');
        return ok;
      },
      90_000,
      500,
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last seen: ${last}`);
    });
  } catch (e) {
    await restore().catch(() => undefined);
    throw e;
  }
  return { site, restore };
}

/** keepalived: stop both, start lb1, wait for the VIP there, start lb2 (the VIP ends on pha-lb1). */
async function restartKeepalived(): Promise<void> {
  for (const n of LBS) await must(n, ['systemctl', 'stop', 'keepalived']);
  await must('pha-lb1', ['systemctl', 'start', 'keepalived']);
  await waitFor('VIP on pha-lb1', async () => (await vipOwner()) === 'pha-lb1', 20_000, 100);
  await must('pha-lb2', ['systemctl', 'start', 'keepalived']);
}
