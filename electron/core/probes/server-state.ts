/**
 * Drain / halt / online one real server through the balancer (the System Overview's buttons):
 * HAProxy runtime API `set server <VIP label>/<server> state drain|maint|ready` on every reachable
 * node of a linux-haproxy pair; `lbcli --action drain|halt|online --services all` on the active
 * Loadbalancer.org appliance. F5 / NetScaler are generation-only: the engineer uses their console.
 */
import { HAPROXY_ADMIN_SOCKET } from '../../../shared/render/haproxy.js';
import { LBCLI_PATH } from '../../../shared/render/lbcli.js';
import { resolveSite } from '../../../shared/model/resolve.js';
import type { Site } from '../../../shared/site/schema.js';
import type { RunContext } from '../engine/api.js';
import { errorText, haproxyRuntime, sshConnector, type BalancerConnector } from './balancer.js';

export type ServerAction = 'drain' | 'halt' | 'online';

const HAPROXY_STATE: Record<ServerAction, string> = { drain: 'drain', halt: 'maint', online: 'ready' };

export async function setServerState(
  site: Site,
  ctx: RunContext,
  req: { vip: string; server: string; action: ServerAction },
  connector: BalancerConnector = sshConnector(ctx),
): Promise<{ ok: boolean; message: string }> {
  const r = resolveSite(site);
  if (!site.servers.some((s) => s.label === req.server)) return { ok: false, message: `No real server "${req.server}" in this site.` };
  const vips = r.vips.filter((v) => req.vip === '*' || v.label === req.vip);
  if (vips.length === 0) return { ok: false, message: `No VIP "${req.vip}" in this site.` };
  const platform = site.balancer.platform;
  if (platform !== 'linux-haproxy' && platform !== 'loadbalancer-org')
    return { ok: false, message: `${platform} is generation-only in PrintHA: ${req.action} ${req.server} in the balancer's own console.` };
  const done: string[] = [];
  try {
    if (platform === 'linux-haproxy') {
      for (const node of r.nodes) {
        const exec = await connector.connect(node);
        const res = await haproxyRuntime(
          exec,
          node,
          HAPROXY_ADMIN_SOCKET,
          vips.map((v) => `set server ${v.label}/${req.server} state ${HAPROXY_STATE[req.action]}`),
        );
        if (res.error) throw new Error(`${node.name}: ${res.error}`);
        if (res.text.trim()) throw new Error(`HAProxy on ${node.name} refused: ${res.text.trim()}`);
        done.push(node.name);
      }
    } else {
      const node = r.nodes[0]!;
      const exec = await connector.connect(node);
      const argv = [LBCLI_PATH, '--action', req.action, '--vip', vips[0]!.label, '--rip', req.server, ...(req.vip === '*' ? ['--services', 'all'] : []), '--method', 'api'];
      const res = await exec(argv, { timeoutMs: 60_000 });
      if (!/"status"\s*:\s*"success"/.test(res.stdout)) throw new Error(`lbcli ${req.action} on ${node.name} did not succeed: ${res.stdout.trim().slice(0, 300)}`);
      done.push(node.name);
    }
  } catch (e) {
    return { ok: false, message: `${req.action} ${req.server} failed: ${errorText(e)}${done.length ? ` (already done on ${done.join(', ')})` : ''}` };
  } finally {
    await connector.close();
  }
  return { ok: true, message: `${req.server} is now ${req.action === 'halt' ? 'halted (maint)' : req.action === 'drain' ? 'draining' : 'online'} on ${vips.map((v) => v.label).join(', ')} (${done.join(', ')}).` };
}
