/**
 * Balancing requirements a product profile states as data (profile.requirements, ServiceDef.passiveFtp):
 * affinity, scheduler, half-open checks, one node for all ports, check timing, warm-up, passive FTP.
 * Dispatcher Paragon (seed 003) is the profile that sets them today; no rule tests a profile id.
 */
import { parsePortSpec, rangeSize } from '../site/ports.js';
import type { Finding } from './finding.js';
import { finding, type Rule } from './types.js';
import { intersectRanges, overrideOrService, overridePath, portsText, servicePath } from './util.js';

/** Largest passive FTP range we accept: a bounded range, opened on every balancer and firewall. */
export const MAX_PASSIVE_PORTS = 1000;

export const persistenceMin: Rule = {
  id: 'persistence-min',
  severity: 'error',
  guards: 'Source affinity shorter than the product requires: a terminal would be moved to another node mid-session.',
  source: 'seed 003 (terminal and print-job failover: "Affinity needs to be set for a minimum of 30 minutes"), §5.3.2',
  check({ site, resolved }) {
    const min = resolved.profile.requirements.minPersistenceMinutes;
    if (min === undefined) return [];
    return resolved.services
      .filter((s) => s.persistenceMinutes < min)
      .map((s) =>
        finding(
          persistenceMin,
          overrideOrService(site, s.id, 'persistenceMinutes'),
          `Service ${s.id} keeps source affinity for ${s.persistenceMinutes} minutes, but ${resolved.profile.title} requires at least ${min} minutes.`,
          `Set overrides.${s.id}.persistenceMinutes to ${min} or more (or remove it to use the profile's ${s.def.persistenceMinutes}).`,
        ),
      );
  },
};

export const persistenceDisabled: Rule = {
  id: 'persistence-disabled',
  severity: 'warning',
  guards: 'persistenceMinutes 0 turns source-IP persistence off, so one client\'s connections can land on different servers.',
  source: 'seed 000 §8.2 (source IP persistence is used for Dispatcher Phoenix servers)',
  check({ site, resolved }) {
    if (resolved.profile.requirements.minPersistenceMinutes !== undefined) return [];
    return resolved.services
      .filter((s) => s.persistenceMinutes === 0 && s.def.persistenceMinutes > 0)
      .map((s) =>
        finding(
          persistenceDisabled,
          overrideOrService(site, s.id, 'persistenceMinutes'),
          `Service ${s.id} sets persistenceMinutes 0, which turns off source-IP persistence: one client's connections may reach different servers.`,
          `Remove overrides.${s.id}.persistenceMinutes to keep the profile's ${s.def.persistenceMinutes} minutes.`,
        ),
      );
  },
};

export const schedulerRequired: Rule = {
  id: 'scheduler-required',
  severity: 'error',
  guards: 'A scheduler the product does not allow (Paragon: least connections), so requests would not be spread as required.',
  source: 'seed 003 §5.3.2 ("Least connection Method")',
  check({ site, resolved }) {
    const allowed = resolved.profile.requirements.scheduler;
    if (!allowed) return [];
    return resolved.services
      .filter((s) => !allowed.includes(s.scheduler))
      .map((s) =>
        finding(
          schedulerRequired,
          overrideOrService(site, s.id, 'scheduler'),
          `Service ${s.id} uses scheduler "${s.scheduler}", but ${resolved.profile.title} requires ${allowed.join(' or ')} (least connections).`,
          `Set overrides.${s.id}.scheduler to ${allowed[0]} or remove it.`,
        ),
      );
  },
};

export const checksHalfOpen: Rule = {
  id: 'checks-half-open',
  severity: 'error',
  guards: 'A health check that completes the TCP handshake (or closes with FIN) where the product requires half-open SYN, SYN-ACK, RST.',
  source: 'seed 003 §5.3.1 ("TCP Half Open"; "must finish connection after SYN - ACK with RST, not with FIN")',
  check({ site, resolved }) {
    if (!resolved.profile.requirements.halfOpenChecks) return [];
    return resolved.services
      .filter((s) => s.check.kind !== 'half-open')
      .map((s) =>
        finding(
          checksHalfOpen,
          servicePath(site, s.id),
          `Service ${s.id} is checked with a "${s.check.kind}" check, but ${resolved.profile.title} requires half-open TCP checks (SYN, SYN-ACK, RST).`,
          `Fix the ${s.id} check in the ${resolved.profile.id} profile data to kind "half-open".`,
        ),
      );
  },
};

export const allPortsOneNode: Rule = {
  id: 'all-ports-one-node',
  severity: 'error',
  guards: 'Services of a product that needs every port of a client on one node with different affinity windows: the ports would split across nodes.',
  source: 'seed 003 §5.3.2 ("all the ports should be passed to the same node per request window ... do not split the ports")',
  check({ site, resolved }) {
    if (!resolved.profile.requirements.allPortsOneNode || resolved.services.length < 2) return [];
    const o = site.overrides ?? {};
    const ref = resolved.services.find((s) => o[s.id]?.persistenceMinutes === undefined) ?? resolved.services[0]!;
    return resolved.services
      .filter((s) => s !== ref && s.persistenceMinutes !== ref.persistenceMinutes)
      .map((s) =>
        finding(
          allPortsOneNode,
          o[s.id]?.persistenceMinutes !== undefined ? overridePath(s.id, 'persistenceMinutes') : overridePath(ref.id, 'persistenceMinutes'),
          `Service ${s.id} keeps affinity for ${s.persistenceMinutes} minutes but ${ref.id} for ${ref.persistenceMinutes}; every port of one client must go to the same node for one shared affinity window.`,
          `Use the same persistenceMinutes for ${s.id} and ${ref.id} (e.g. ${Math.max(s.persistenceMinutes, ref.persistenceMinutes)}).`,
        ),
      );
  },
};

export const checkTiming: Rule = {
  id: 'check-timing',
  severity: 'warning',
  guards: 'Health-check interval or failure count other than the product\'s recommendation (Paragon: every 5 s, down after 3).',
  source: 'seed 003 ("monitoring period is 5 seconds with node considered down after 3 unsuccessful attempts")',
  check({ site, resolved }) {
    const req = resolved.profile.requirements;
    const out: Finding[] = [];
    for (const s of resolved.services) {
      if (req.checkIntervalSeconds !== undefined && s.check.intervalSeconds !== req.checkIntervalSeconds)
        out.push(
          finding(
            checkTiming,
            overrideOrService(site, s.id, 'checkIntervalSeconds'),
            `Service ${s.id} is checked every ${s.check.intervalSeconds} s; ${resolved.profile.title} recommends every ${req.checkIntervalSeconds} s.`,
            `Set overrides.${s.id}.checkIntervalSeconds to ${req.checkIntervalSeconds} unless there is a reason not to.`,
          ),
        );
      if (req.fall !== undefined && s.check.fall !== req.fall)
        out.push(
          finding(
            checkTiming,
            overrideOrService(site, s.id, 'fall'),
            `Service ${s.id} marks a server down after ${s.check.fall} failed checks; ${resolved.profile.title} recommends ${req.fall}.`,
            `Set overrides.${s.id}.fall to ${req.fall} unless there is a reason not to.`,
          ),
        );
    }
    return out;
  },
};

export const warmUpMissing: Rule = {
  id: 'warm-up-missing',
  severity: 'error',
  guards: 'riseSeconds 0 puts a returning server back into service immediately, before the product on it has started.',
  source: 'seed 003 ("Node shall not be considered up immediately but after defined time ... required for Management/Site Server to start")',
  check({ site, resolved }) {
    if (!resolved.profile.requirements.warmUpRequired) return [];
    return resolved.services
      .filter((s) => s.check.riseSeconds <= 0)
      .map((s) =>
        finding(
          warmUpMissing,
          overrideOrService(site, s.id, 'riseSeconds'),
          `Service ${s.id} has riseSeconds 0, so a server would be considered up immediately; ${resolved.profile.title} must only get traffic after it has started.`,
          `Set overrides.${s.id}.riseSeconds to the time the service needs to start on a server (the profile uses ${s.def.check.riseSeconds}).`,
        ),
      );
  },
};

export const ftpPassiveRange: Rule = {
  id: 'ftp-passive-range',
  severity: 'error',
  guards: 'Passive FTP without a bounded passive port range above 1024 (or with one on a service that carries no FTP): data connections would fail or the whole port space would be opened.',
  source: 'seed 003 §5.3.2 (FTP 21, "PASSIVE FTP and will require port > 1024 to be passed") and §5.3.3',
  check({ site, resolved }) {
    const out: Finding[] = [];
    const o = site.overrides ?? {};
    for (const s of resolved.services) {
      const raw = o[s.id]?.passivePorts;
      const path = overridePath(s.id, 'passivePorts');
      if (!s.def.passiveFtp) {
        if (raw !== undefined)
          out.push(
            finding(
              ftpPassiveRange,
              path,
              `Service ${s.id} carries no FTP, so passivePorts "${raw}" would only open ${raw} on the VIP for nothing.`,
              `Remove overrides.${s.id}.passivePorts${resolved.profile.services.some((d) => d.passiveFtp) ? ` (passive FTP belongs to ${resolved.profile.services.filter((d) => d.passiveFtp).map((d) => d.id).join(', ')})` : ''}.`,
            ),
          );
        continue;
      }
      if (raw === undefined) {
        out.push(
          finding(
            ftpPassiveRange,
            path,
            `Service ${s.id} carries passive FTP (port 21) but no passive data port range is set, so FTP data connections through the VIP would fail.`,
            `Set overrides.${s.id}.passivePorts to the FTP server's bounded passive range above 1024, e.g. "50000-50100", and configure the same range on the servers.`,
          ),
        );
        continue;
      }
      const r = parsePortSpec(raw);
      if (typeof r === 'string') {
        out.push(finding(ftpPassiveRange, path, `passivePorts of service ${s.id}: ${r}.`, `Write the passive range as "first-last" above 1024, e.g. "50000-50100".`));
        continue;
      }
      const size = rangeSize(r);
      if (r.from <= 1024)
        out.push(
          finding(
            ftpPassiveRange,
            path,
            `The passive FTP range ${raw} of service ${s.id} starts at ${r.from}; passive FTP data ports must be above 1024.`,
            `Move overrides.${s.id}.passivePorts above 1024, e.g. "50000-50100".`,
          ),
        );
      else if (size > MAX_PASSIVE_PORTS)
        out.push(
          finding(
            ftpPassiveRange,
            path,
            `The passive FTP range ${raw} of service ${s.id} has ${size} ports; a passive range must be bounded (at most ${MAX_PASSIVE_PORTS}) because every port is opened on the VIP.`,
            `Narrow overrides.${s.id}.passivePorts to the FTP server's configured range, at most ${MAX_PASSIVE_PORTS} ports.`,
          ),
        );
      const overlap = intersectRanges([r], s.ports);
      if (overlap.length)
        out.push(
          finding(
            ftpPassiveRange,
            path,
            `The passive FTP range ${raw} of service ${s.id} overlaps its own ports ${portsText(overlap)}.`,
            `Move overrides.${s.id}.passivePorts clear of ${portsText(s.ports)}.`,
          ),
        );
    }
    return out;
  },
};

export const PARAGON_RULES: Rule[] = [
  persistenceMin,
  persistenceDisabled,
  schedulerRequired,
  checksHalfOpen,
  allPortsOneNode,
  checkTiming,
  warmUpMissing,
  ftpPassiveRange,
];
