/**
 * Product profiles as data: services -> ports, checks, persistence, scheduler.
 * Adding a product means adding an entry here, not a code path.
 * Sources: seed 000 (Loadbalancer.org guide for Dispatcher Phoenix) §8.2-8.4, §10-11;
 * seed 003 (Dispatcher Paragon third-party balancer requirements) §5.3.
 */
import type { PortSpec } from '../site/ports.js';
import type { ProfileId, Scheduler } from '../site/schema.js';

export type CheckKind = 'connect' | 'half-open';

export interface CheckDef {
  /** connect = TCP connect check; half-open = SYN, SYN-ACK, RST (no completed handshake, never FIN). */
  kind: CheckKind;
  /** Ports probed on each server; empty = the port the traffic uses. All must answer (AND). */
  ports: number[];
  intervalSeconds: number;
  /** Consecutive failures before a server is marked down. */
  fall: number;
  /** Warm-up: a server that comes back is not used before this many seconds of passing checks. */
  riseSeconds: number;
}

export interface ServiceDef {
  id: string;
  title: string;
  /** The balancer VIP label. Services with the same label are one VIP (union of ports). */
  vipLabel: string;
  ports: PortSpec[];
  check: CheckDef;
  persistenceMinutes: number;
  scheduler: Scheduler;
  /** The service carries FTP control (21) and needs a bounded passive range (`passivePorts`). */
  passiveFtp?: boolean;
  /** Ports this service must never balance because another VIP owns them (guide: 445 is PrintServers'). */
  excludedPorts?: { port: number; ownerLabel: string }[];
  source: string;
  /** Where the guide gives the traffic ports / the health-check ports (default: source), for findings that cite it. */
  portsSource?: string;
  checkSource?: string;
}

export interface ProfileRequirements {
  /** Minimum source affinity in minutes (Paragon: 30). */
  minPersistenceMinutes?: number;
  /** Checks must be half-open (Paragon: SYN, SYN-ACK, RST). */
  halfOpenChecks?: boolean;
  /** Required scheduler (Paragon: least connections). */
  scheduler?: Scheduler[];
  /** Every port of one client to one node (one persistence group for all services). */
  allPortsOneNode?: boolean;
  /** Recommended check interval and fall (Paragon: 5 s, 3). */
  checkIntervalSeconds?: number;
  fall?: number;
  /** A returning server must pass checks for riseSeconds > 0 before it gets traffic (Paragon: warm-up). */
  warmUpRequired?: boolean;
}

export interface ProfileDef {
  id: ProfileId;
  title: string;
  services: ServiceDef[];
  defaultServices: string[];
  requirements: ProfileRequirements;
  /** Windows services whose presence shows the product is installed (discovery). */
  windowsServicePatterns: string[];
}

const phoenixCheck: CheckDef = { kind: 'connect', ports: [445], intervalSeconds: 5, fall: 3, riseSeconds: 10 };
const phoenixCommon = { persistenceMinutes: 30, scheduler: 'wlc' as Scheduler };
const printServerService: ServiceDef = {
  id: 'print-server',
  title: 'Microsoft Print Server (SMB)',
  vipLabel: 'PrintServers',
  ports: [445],
  check: { ...phoenixCheck, ports: [] },
  ...phoenixCommon,
  source: 'seed 000 §10.2 / §11.2: PrintServers VIP, TCP 445',
  portsSource: 'seed 000 §10.2 / §11.2, PrintServers VIP',
  checkSource: 'seed 000 §10.2 / §11.2, PrintServers VIP: the check uses the traffic port',
};
const phoenixCheckSource = 'seed 000 §10.3 step 9';
const not445 = [{ port: 445, ownerLabel: 'PrintServers' }];

const paragonCheck = { intervalSeconds: 5, fall: 3, riseSeconds: 60 };

export const PROFILES: Record<ProfileId, ProfileDef> = {
  'dispatcher-phoenix': {
    id: 'dispatcher-phoenix',
    title: 'Konica Minolta Dispatcher Phoenix',
    services: [
      printServerService,
      {
        id: 'sec-workflow',
        title: 'KMBS SEC Workflow Worker Process',
        vipLabel: 'Dispatcher',
        ports: [25, 53, 80, 443, 465, 587],
        check: phoenixCheck,
        ...phoenixCommon,
        excludedPorts: not445,
        source: 'seed 000 §8.4 (445 excluded: §10.3 note), health check port 445: §10.3 step 9',
        portsSource: 'seed 000 §8.4, KMBS SEC Workflow Worker Process',
        checkSource: phoenixCheckSource,
      },
      {
        id: 'best',
        title: 'KMBS BEST Server (HTTP 50808, HTTPS 50809)',
        vipLabel: 'Dispatcher',
        ports: [50808, 50809],
        check: phoenixCheck,
        ...phoenixCommon,
        excludedPorts: not445,
        source: 'seed 000 §8.4 KMBS BEST Server',
        checkSource: phoenixCheckSource,
      },
      {
        id: 'lpr',
        title: 'KMBS LPR Service (LPD)',
        vipLabel: 'Dispatcher',
        ports: [515],
        check: phoenixCheck,
        ...phoenixCommon,
        excludedPorts: not445,
        source: 'seed 000 §8.4 KMBS LPR Service',
        checkSource: phoenixCheckSource,
      },
      {
        id: 'smtp',
        title: 'KMBS SMTP Service (port configurable in SMTP Manager)',
        vipLabel: 'Dispatcher',
        ports: [25],
        check: phoenixCheck,
        ...phoenixCommon,
        excludedPorts: not445,
        source: 'seed 000 §8.4 KMBS SMTP Service',
        checkSource: phoenixCheckSource,
      },
    ],
    defaultServices: ['print-server', 'sec-workflow'],
    requirements: {},
    windowsServicePatterns: ['Dispatcher*', 'KMBS*', 'DispatcherPhoenix*'],
  },
  'dispatcher-paragon': {
    id: 'dispatcher-paragon',
    title: 'Dispatcher Paragon (SafeQ 6) terminal and print-job failover',
    services: [
      {
        id: 'terminal',
        title: 'Terminal Server / SPOC (5011-5025, WebDAV 5610, passive FTP 21)',
        vipLabel: 'ParagonTerminal',
        ports: ['5011-5025', 5610, 21],
        check: { kind: 'half-open', ports: [5555, 5022], ...paragonCheck },
        persistenceMinutes: 30,
        scheduler: 'lc',
        passiveFtp: true,
        source: 'seed 003 §5.3.1 health check, §5.3.2 ports pass through, §5.3.3 FTP',
        portsSource: 'seed 003 §5.3.2',
        checkSource: 'seed 003 §5.3.1',
      },
      {
        id: 'fsp',
        title: 'FSP print jobs (LPR 515)',
        vipLabel: 'ParagonFSP',
        ports: [515],
        check: { kind: 'half-open', ports: [515], ...paragonCheck },
        persistenceMinutes: 30,
        scheduler: 'lc',
        source: 'seed 003: print job failover, monitor 515',
      },
    ],
    defaultServices: ['terminal', 'fsp'],
    requirements: {
      minPersistenceMinutes: 30,
      halfOpenChecks: true,
      scheduler: ['lc', 'wlc'],
      allPortsOneNode: true,
      checkIntervalSeconds: 5,
      fall: 3,
      warmUpRequired: true,
    },
    windowsServicePatterns: ['SafeQ*', 'YSoft*', 'Dispatcher Paragon*', 'SPOC*'],
  },
  'print-server': {
    id: 'print-server',
    title: 'Microsoft print cluster (SMB only)',
    services: [printServerService],
    defaultServices: ['print-server'],
    requirements: {},
    windowsServicePatterns: ['Spooler'],
  },
};

export function getProfile(id: ProfileId): ProfileDef {
  return PROFILES[id];
}
