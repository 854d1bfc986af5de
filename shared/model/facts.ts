/**
 * Facts discovered on hosts (read-only). The engines in electron/core fill these; rules that need
 * them run only when they are present. Optional fields mean "not collected".
 */
export interface NicFacts {
  alias: string;
  index: number;
  description?: string;
  addresses: string[];
  /** Win32_NetworkAdapterConfiguration.TcpipNetbiosOptions: 0 default (DHCP), 1 enabled, 2 disabled. */
  netbiosOptions?: number;
  weakHostReceive?: boolean;
  weakHostSend?: boolean;
  isLoopback?: boolean;
}

export interface ServerFacts {
  label: string;
  reachable: boolean;
  error?: string;
  computerName?: string;
  domainMember?: boolean;
  domain?: string;
  printServerRole?: boolean;
  /** Share names of shared printers. */
  printerShares?: string[];
  /** Windows services matching the profile's product, with their state. */
  productServices?: { name: string; status: string }[];
  nics?: NicFacts[];
  registry?: {
    disableLoopbackCheck?: number | null;
    disableStrictNameChecking?: number | null;
    optionalNames?: string[] | null;
  };
  loopbackAdapter?: { alias: string; addresses: string[] } | null;
  pendingReboot?: boolean;
  psVersion?: string;
  lastBootTime?: string;
}

export interface ExistingVip {
  label: string;
  ip: string;
  ports: string;
  layer: 4 | 7;
  /** Layer 4 forwarding: gate (DR), masq, ipip, snat. */
  forwarding?: string;
  reals: { label: string; ip: string; port?: string; weight?: string }[];
  /**
   * Settings as the appliance reports them (flattened dumpconfig keys such as "persistence",
   * "persist_time", "scheduler", "check/type", "check/port"); only what the dump contains.
   */
  settings?: Record<string, string>;
}

/** An apply that replaced files on a node but did not confirm them (its marker is still on the node). */
export interface PendingApply {
  run: string;
  backupDir: string;
  /** services the interrupted apply still had to reload: haproxy, keepalived, sysctl */
  services: string[];
}

export interface BalancerNodeFacts {
  name: string;
  address: string;
  reachable: boolean;
  error?: string;
  version?: string;
  /** HA role as the node reports it. */
  role?: 'active' | 'passive' | 'unknown';
  holdsVip?: boolean;
  existingVips?: ExistingVip[];
  /** Which driver collected these facts (linux-haproxy, loadbalancer-org). */
  platform?: string;
  /** The node's own hostname (HAProxy finds its peer entry by it). */
  hostname?: string;
  haproxyVersion?: string;
  keepalivedVersion?: string;
  /** systemd state of the services PrintHA manages on the node ("active", "inactive", ...). */
  services?: Record<string, string>;
  /** Files PrintHA manages on the node, by absolute path: their text, or null when absent. */
  files?: Record<string, string | null>;
  /** Octal mode and owner of those files ("755 root"), when present. */
  fileModes?: Record<string, string>;
  pendingApply?: PendingApply;
}

export interface SiteFacts {
  servers?: ServerFacts[];
  balancer?: BalancerNodeFacts[];
  /** Which collection produced these facts and when (ISO time). */
  collectedAt?: string;
}
