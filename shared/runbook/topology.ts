/** Topology diagram (SVG): clients -> VIP -> balancer pair -> print servers, with addresses and ports. */
import type { ResolvedSite } from '../model/resolve.js';
import { formatRanges } from '../site/ports.js';
import { escapeHtml as esc } from './doc.js';

export function topologySvg(r: ResolvedSite): string {
  const servers = r.site.servers;
  const rowH = 46;
  const h = Math.max(260, 40 + servers.length * rowH);
  const mid = h / 2;
  const box = (x: number, y: number, w: number, hh: number, title: string, sub: string, fill: string) =>
    `<rect x="${x}" y="${y}" width="${w}" height="${hh}" rx="6" fill="${fill}" stroke="#57606a"/>` +
    `<text x="${x + w / 2}" y="${y + 18}" text-anchor="middle" font-weight="600">${esc(title)}</text>` +
    `<text x="${x + w / 2}" y="${y + 34}" text-anchor="middle" font-size="11">${esc(sub)}</text>`;
  const parts: string[] = [];
  parts.push(box(10, mid - 25, 120, 50, 'Clients / MFDs', `\\\\${r.site.shareName}`, '#eef6ff'));
  const vipPorts = r.vips.map((v) => `${v.label}: ${formatRanges(v.ports)}`);
  const vipH = 40 + vipPorts.length * 14;
  parts.push(
    `<rect x="170" y="${mid - vipH / 2}" width="200" height="${vipH}" rx="6" fill="#fff8c5" stroke="#57606a"/>` +
      `<text x="270" y="${mid - vipH / 2 + 18}" text-anchor="middle" font-weight="600">VIP ${esc(r.site.vip)}</text>` +
      vipPorts.map((t, i) => `<text x="270" y="${mid - vipH / 2 + 34 + i * 14}" text-anchor="middle" font-size="10">${esc(t)}</text>`).join(''),
  );
  const nodes = r.nodes;
  const nodeTop = mid - (nodes.length * 60) / 2;
  nodes.forEach((n, i) =>
    parts.push(box(410, nodeTop + i * 60, 170, 50, `${n.name} (${n.role})`, `${n.address} · ${r.site.balancer.platform} · ${r.site.mode.toUpperCase()}`, '#f6f8fa')),
  );
  const srvTop = mid - (servers.length * rowH) / 2;
  servers.forEach((s, i) => {
    const y = srvTop + i * rowH;
    parts.push(box(630, y, 170, 38, s.label, `${s.address} · weight ${s.weight}`, '#dafbe1'));
    parts.push(`<line x1="580" y1="${mid}" x2="630" y2="${y + 19}" stroke="#57606a"/>`);
  });
  parts.push(`<line x1="130" y1="${mid}" x2="170" y2="${mid}" stroke="#57606a" marker-end="url(#a)"/>`);
  parts.push(`<line x1="370" y1="${mid}" x2="410" y2="${mid}" stroke="#57606a" marker-end="url(#a)"/>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 810 ${h}" width="810" height="${h}" font-family="system-ui,sans-serif" font-size="12">` +
    `<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#57606a"/></marker></defs>` +
    parts.join('') +
    '</svg>'
  );
}
