/**
 * The site file, version 1 (DESIGN.md). Structure and formats live here; cross-field
 * rules live in shared/rules so each one has a stable id and its own tests.
 * Every object is strict: an unknown key is an error (a typo must never be ignored).
 */
import { z } from 'zod';
import { ipFamily } from '../net/ip.js';
import { parsePortSpec } from './ports.js';
import { textProblem } from './text.js';

/** Marks a zod issue with the preflight rule id it is reported under. */
function fail(ctx: z.RefinementCtx, rule: string, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { rule } });
}

export const LABEL_RE = /^[A-Za-z0-9_-]{1,32}$/;
/** NetBIOS names: at most 15 characters, no spaces or \/:*?"<>|. ; we also keep them shell-safe. */
export const NETBIOS_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,14}$/;

export const IpAddress = z.string().superRefine((s, ctx) => {
  if (ipFamily(s) === null) fail(ctx, 'ip-invalid', `"${s}" is not an IPv4 or IPv6 address`);
});

export const Label = z.string().superRefine((s, ctx) => {
  if (!LABEL_RE.test(s))
    fail(
      ctx,
      'label-invalid',
      `label "${s}" may only use letters, digits, "_" and "-" (1-32 characters): labels reach remote shells and balancer configs`,
    );
});

/** Free text (the site name, service names): the character policy of text.ts, 1-max characters. */
export const FreeText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((s, ctx) => {
      const why = textProblem(s);
      if (why)
        fail(ctx, 'text-invalid', `${JSON.stringify(s.slice(0, 40)).replace(/[^\x20-\x7e]/g, '?')}${s.length > 40 ? '...' : ''} ${why}`);
    });

export const PortSpecSchema = z.union([z.number(), z.string()]).superRefine((p, ctx) => {
  const r = parsePortSpec(p);
  if (typeof r === 'string') fail(ctx, 'port-invalid', r);
});

const TcpPort = z
  .number()
  .int()
  .superRefine((p, ctx) => {
    if (p < 1 || p > 65535) fail(ctx, 'port-invalid', `${p} is not a TCP port (1-65535)`);
  });

/** A host name or FQDN as DNS allows it (also reaches shells, so no metacharacters). */
export const HostName = z.string().superRefine((s, ctx) => {
  if (!/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(s))
    fail(ctx, 'hostname-invalid', `"${s}" is not a valid DNS host name`);
});

/** A Windows account: DOMAIN\user, user@domain or user. */
export const WindowsUser = z.string().superRefine((s, ctx) => {
  if (!/^([A-Za-z0-9._-]{1,64}\\)?[A-Za-z0-9._@-]{1,104}$/.test(s))
    fail(ctx, 'user-invalid', `"${s}" is not a Windows account name (DOMAIN\\user, user@domain or user)`);
});

export const PosixUser = z.string().superRefine((s, ctx) => {
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/.test(s)) fail(ctx, 'user-invalid', `"${s}" is not a POSIX user name`);
});

export const BalancerNode = z.strictObject({
  address: IpAddress,
  port: TcpPort.default(22),
  user: PosixUser.default('root'),
  /** Node name: the HAProxy peer name (must equal the node's hostname) and keepalived-<name>.conf. */
  name: Label.optional(),
  /** NIC that carries the VIP (keepalived `interface`). */
  interface: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,15}$/, 'interface names are 1-15 letters, digits, "_", "-" or "."')
    .default('eth0'),
});

export const PLATFORMS = ['loadbalancer-org', 'linux-haproxy', 'f5-bigip', 'netscaler'] as const;
export const PROFILES = ['dispatcher-phoenix', 'dispatcher-paragon', 'print-server'] as const;
export const MODES = ['dr', 'snat'] as const;
export const SCHEDULERS = ['lc', 'wlc', 'rr', 'wrr'] as const;
export const TRANSPORTS = ['winrm', 'winrm-https', 'ssh'] as const;

export const ServiceOverride = z.strictObject({
  ports: z.array(PortSpecSchema).min(1).optional(),
  checkPort: TcpPort.optional(),
  /** Extra/alternative check ports (Paragon checks 5555 and 5022). */
  checkPorts: z.array(TcpPort).min(1).optional(),
  backendPort: TcpPort.optional(),
  persistenceMinutes: z.number().int().min(0).max(10080).optional(),
  scheduler: z.enum(SCHEDULERS).optional(),
  passivePorts: z.string().optional(),
  checkIntervalSeconds: z.number().int().min(1).max(3600).optional(),
  fall: z.number().int().min(1).max(100).optional(),
  riseSeconds: z.number().int().min(0).max(3600).optional(),
});

export const Server = z.strictObject({
  label: Label,
  address: IpAddress,
  hostname: HostName.optional(),
  weight: z.number().int().min(0).max(256).default(100),
});

export const SiteSchema = z.strictObject({
  version: z.literal(1),
  name: FreeText(200),
  profile: z.enum(PROFILES),
  services: z.array(FreeText(64)).min(1).optional(),
  mode: z.enum(MODES),
  vip: IpAddress,
  shareName: z.string().superRefine((s, ctx) => {
    if (!NETBIOS_RE.test(s))
      fail(
        ctx,
        'sharename-netbios',
        s.length > 15
          ? `share name "${s}" has ${s.length} characters; a NetBIOS name has at most 15`
          : `share name "${s}" is not a valid NetBIOS name (letters, digits, "_" or "-", starting with a letter or digit)`,
      );
  }),
  network: z.strictObject({
    prefixLength: z.number().int().min(0).max(128),
  }),
  dns: z
    .strictObject({
      server: IpAddress,
      zone: HostName,
      /** Hostname of the DNS server for `-ComputerName` (WinRM needs a name for Kerberos). */
      serverName: HostName.optional(),
    })
    .optional(),
  balancer: z.strictObject({
    platform: z.enum(PLATFORMS),
    primary: BalancerNode,
    secondary: BalancerNode.optional(),
    /** VRRP virtual_router_id (linux-haproxy). */
    vrrpRouterId: z.number().int().min(1).max(255).default(51),
  }),
  servers: z.array(Server).min(1),
  windows: z.strictObject({
    transport: z.enum(TRANSPORTS),
    user: WindowsUser,
    /** Override the transport's port (5985 winrm, 5986 winrm-https, 22 ssh). */
    port: TcpPort.optional(),
    /**
     * winrm-https only: accept a certificate that is self-signed or issued to another name
     * (New-PSSessionOption -SkipCACheck -SkipCNCheck). Default false: the certificate is checked.
     */
    skipCertificateCheck: z.boolean().optional(),
  }),
  overrides: z.record(FreeText(64), ServiceOverride).optional(),
});

/** The site as written (defaults not applied). */
export type SiteInput = z.input<typeof SiteSchema>;
/** The site after parsing (defaults applied). */
export type Site = z.output<typeof SiteSchema>;
export type ServiceOverrideT = z.output<typeof ServiceOverride>;
export type Platform = (typeof PLATFORMS)[number];
export type ProfileId = (typeof PROFILES)[number];
export type Mode = (typeof MODES)[number];
export type Scheduler = (typeof SCHEDULERS)[number];
