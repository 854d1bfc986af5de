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
  reals: { label: string; ip: string; port?: string }[];
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
}

export interface SiteFacts {
  servers?: ServerFacts[];
  balancer?: BalancerNodeFacts[];
  /** Which collection produced these facts and when (ISO time). */
  collectedAt?: string;
}
