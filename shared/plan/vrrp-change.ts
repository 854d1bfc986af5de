/**
 * Will a keepalived reload drop the VIP? Pure: compares the VRRP instances of the keepalived.conf a
 * node runs now with the one PrintHA is about to install.
 *
 * keepalived 2.x keeps a MASTER instance MASTER across a reload only while the instance can still talk
 * to its peer the same way. When the transport (multicast vs unicast peers), the authentication, the
 * virtual router id or the interface changes, it re-creates the instance: the node that held the VIP
 * releases it and the pair elects again, which takes the master-down interval (3 × advert_int plus the
 * priority skew, about 3.6 s with advert_int 1). Measured on the lab: a reload from the textbook config
 * (multicast, auth PASS) to PrintHA's (unicast peers, no auth) leaves no node holding the VIP for
 * ~3.4 s; a reload that changes only priority, nopreempt or the VIP's prefix keeps it.
 * The apply waits for the new holder (confirm-vip); the plan says so in advance, so the engineer can
 * schedule the first apply outside printing hours.
 */

export interface VrrpInstanceShape {
  name: string;
  interface?: string;
  routerId?: string;
  advertInt?: number;
  /** Sorted unicast peers; empty = multicast. */
  unicastPeers: string[];
  /** "PASS:<pass>" / "AH:<pass>" or '' (compared, never printed). */
  auth: string;
}

/** Strips comments (# and !) outside quotes, well enough for keepalived's syntax. */
function uncomment(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s[#!].*$|^[#!].*$/, ''))
    .join('\n');
}

/** The vrrp_instance blocks of a keepalived.conf, by brace matching. */
export function vrrpInstances(conf: string): VrrpInstanceShape[] {
  const text = uncomment(conf);
  const out: VrrpInstanceShape[] = [];
  const re = /\bvrrp_instance\s+(\S+)\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 1;
    let i = re.lastIndex;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    const body = text.slice(re.lastIndex, i - 1);
    const word = (key: string): string | undefined => new RegExp(`(?:^|\\n)\\s*${key}\\s+(\\S+)`).exec(body)?.[1];
    const peersBlock = /\bunicast_peer\s*\{([^}]*)\}/.exec(body)?.[1] ?? '';
    const authBlock = /\bauthentication\s*\{([^}]*)\}/.exec(body)?.[1] ?? '';
    const authType = /\bauth_type\s+(\S+)/.exec(authBlock)?.[1] ?? '';
    const authPass = /\bauth_pass\s+(\S+)/.exec(authBlock)?.[1] ?? '';
    const advert = word('advert_int');
    const shape: VrrpInstanceShape = {
      name: m[1]!,
      unicastPeers: peersBlock
        .split(/\s+/)
        .map((s) => s.trim())
        .filter(Boolean)
        .sort(),
      auth: authType ? `${authType.toUpperCase()}:${authPass}` : '',
    };
    const itf = word('interface');
    const vrid = word('virtual_router_id');
    if (itf) shape.interface = itf;
    if (vrid) shape.routerId = vrid;
    if (advert !== undefined && Number.isFinite(Number(advert))) shape.advertInt = Number(advert);
    out.push(shape);
    re.lastIndex = i;
  }
  return out;
}

/**
 * The reasons a reload from `before` to `after` re-creates the instance (and so drops a VIP it
 * holds). Empty when nothing of the kind changes or the node runs no keepalived.conf yet.
 */
export function vrrpReloadDisruption(before: string | null | undefined, after: string): string[] {
  if (!before) return [];
  const old = vrrpInstances(before);
  const neu = vrrpInstances(after);
  if (old.length === 0) return [];
  const reasons: string[] = [];
  for (const n of neu) {
    const o = old.find((x) => x.name === n.name) ?? (old.length === 1 && neu.length === 1 ? old[0] : undefined);
    if (!o) {
      reasons.push(`the VRRP instance ${n.name} is new (the node runs ${old.map((x) => x.name).join(', ')})`);
      continue;
    }
    const transport = (s: VrrpInstanceShape): string => (s.unicastPeers.length ? `unicast to ${s.unicastPeers.join(', ')}` : 'multicast');
    if (transport(o) !== transport(n)) reasons.push(`VRRP adverts change from ${transport(o)} to ${transport(n)}`);
    if (o.auth !== n.auth) reasons.push(!n.auth ? 'VRRP authentication is removed' : !o.auth ? 'VRRP authentication is added' : 'the VRRP authentication changes');
    if (o.routerId !== n.routerId) reasons.push(`virtual_router_id changes from ${o.routerId ?? 'none'} to ${n.routerId ?? 'none'}`);
    if (o.interface !== n.interface) reasons.push(`the VRRP interface changes from ${o.interface ?? 'none'} to ${n.interface ?? 'none'}`);
  }
  return reasons;
}

/** Seconds without a VIP holder after such a reload: keepalived's master-down interval, rounded up. */
export function vrrpReelectionSeconds(after: string): number {
  const inst = vrrpInstances(after);
  const advert = Math.max(1, ...inst.map((i) => i.advertInt ?? 1));
  return Math.ceil(3 * advert + 1);
}
