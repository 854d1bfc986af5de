/**
 * PowerShell remoting as script text: the exact commands that open a session per Windows server
 * (WinRM over HTTP or HTTPS, or PowerShell over SSH), run a generated script in it, stop it, close
 * it; the TrustedHosts guidance a laptop outside the domain needs; and the translation of what
 * Windows / ssh say when a connection fails into a sentence for the engineer (RemoteError).
 *
 * Every host, user, path and label reaches the text through quotePwsh (single-quoted literal), and
 * every script through base64 — nothing is interpolated raw. Sessions live in
 * `$global:PrintHASessions[<label>]` of the runner's long-lived shell and are reused across steps;
 * a generated script runs as `Invoke-Command -Session $s -ScriptBlock ([scriptblock]::Create($script)) -AsJob`
 * so several servers work in parallel inside the one shell (the runner polls the jobs).
 *
 * The shell may be Windows PowerShell 5.1 or PowerShell 7 (laptop side); what runs on the servers
 * is the generated scripts (PowerShell 3.0-compatible, shared/render/powershell).
 */
import { quotePwsh } from '../../../shared/quote/powershell.js';
import type { Site } from '../../../shared/site/schema.js';
import type { PowerShellFound } from './find.js';

export type Transport = Site['windows']['transport'];

export const DEFAULT_PORTS: Readonly<Record<Transport, number>> = { winrm: 5985, 'winrm-https': 5986, ssh: 22 };

/** How one server is reached. */
export interface RemoteTarget {
  label: string;
  transport: Transport;
  /** -ComputerName / -HostName: the server's hostname when the site gives one (Kerberos), else its address. */
  host: string;
  port: number;
  user: string;
  /** winrm-https only, and only when the site says so: -SkipCACheck -SkipCNCheck. */
  skipCertificateCheck: boolean;
  /** ssh: the private key (-KeyFilePath). */
  keyFilePath?: string;
  /** ssh: known_hosts file for host key checking (-Options, PowerShell 7.3+). */
  knownHostsFile?: string;
  /** WinRM: New-PSSessionOption -OpenTimeout; ssh: -ConnectingTimeout (PowerShell 7.2+). */
  openTimeoutMs?: number;
}

export function remoteTarget(
  site: Site,
  label: string,
  o: { keyFilePath?: string; knownHostsFile?: string; openTimeoutMs?: number } = {},
): RemoteTarget {
  const s = site.servers.find((x) => x.label === label);
  if (!s) throw new Error(`no server with label "${label}" in the site file`);
  const transport = site.windows.transport;
  return {
    label,
    transport,
    host: s.hostname ?? s.address,
    port: site.windows.port ?? DEFAULT_PORTS[transport],
    user: site.windows.user,
    skipCertificateCheck: transport === 'winrm-https' && site.windows.skipCertificateCheck === true,
    ...(transport === 'ssh' && o.keyFilePath ? { keyFilePath: o.keyFilePath } : {}),
    ...(transport === 'ssh' && o.knownHostsFile ? { knownHostsFile: o.knownHostsFile } : {}),
    ...(o.openTimeoutMs ? { openTimeoutMs: o.openTimeoutMs } : {}),
  };
}

function ms(n: number): string {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`timeout must be a positive whole number of milliseconds, got ${n}`);
  return String(n);
}

/**
 * The New-PSSession command line for a target. `credential`: whether `$cred` (a PSCredential built
 * in the same block) is passed; without it WinRM uses the current Windows logon (Kerberos).
 */
export function newSessionCommand(t: RemoteTarget, o: { credential: boolean } = { credential: true }): string {
  const port = String(t.port);
  if (t.transport === 'ssh') {
    const parts = ['New-PSSession', '-HostName', quotePwsh(t.host), '-UserName', quotePwsh(t.user)];
    if (t.keyFilePath) parts.push('-KeyFilePath', quotePwsh(t.keyFilePath));
    parts.push('-Port', port);
    if (t.openTimeoutMs) parts.push('-ConnectingTimeout', ms(t.openTimeoutMs));
    if (t.knownHostsFile) parts.push('-Options', `@{ UserKnownHostsFile = ${quotePwsh(t.knownHostsFile)}; StrictHostKeyChecking = 'yes' }`);
    return parts.join(' ');
  }
  const parts = ['New-PSSession', '-ComputerName', quotePwsh(t.host)];
  if (o.credential) parts.push('-Credential', '$cred');
  if (t.transport === 'winrm-https') parts.push('-UseSSL');
  parts.push('-Port', port);
  const opt: string[] = [];
  if (t.openTimeoutMs) opt.push('-OpenTimeout', ms(t.openTimeoutMs));
  if (t.transport === 'winrm-https' && t.skipCertificateCheck) opt.push('-SkipCACheck', '-SkipCNCheck');
  if (opt.length > 0) parts.push('-SessionOption', `(New-PSSessionOption ${opt.join(' ')})`);
  return parts.join(' ');
}

/** The PSCredential line (user quoted; the password is the SecureString `$phaSecret` the runner builds). */
export function credentialLine(user: string): string {
  return `$cred = New-Object System.Management.Automation.PSCredential -ArgumentList @(${quotePwsh(user)}, $phaSecret)`;
}

/**
 * Opens (or re-opens) the session of one server and keeps it in `$global:PrintHASessions`.
 * Prints `{ kind: 'printha.session', label, state, computerName }`.
 */
export function openSessionScript(t: RemoteTarget, o: { credential: boolean }): string {
  const label = quotePwsh(t.label);
  return [
    `$phaOld = $global:PrintHASessions[${label}]`,
    'if ($null -ne $phaOld) {',
    '  Remove-PSSession -Session $phaOld -ErrorAction SilentlyContinue',
    `  $global:PrintHASessions.Remove(${label})`,
    '}',
    ...(o.credential && t.transport !== 'ssh' ? [credentialLine(t.user)] : []),
    `$s = ${newSessionCommand(t, { credential: o.credential && t.transport !== 'ssh' })}`,
    `$global:PrintHASessions[${label}] = $s`,
    `$phaOut = [pscustomobject]@{ kind = 'printha.session'; label = ${label}; state = [string]$s.State; computerName = [string]$s.ComputerName }`,
    'ConvertTo-Json -InputObject $phaOut -Compress',
  ].join('\n');
}

function scriptB64(scriptText: string): string {
  return Buffer.from(scriptText, 'utf8').toString('base64');
}

/** `$script = <the generated script, decoded from base64>` */
export function decodeScriptLine(scriptText: string, variable = '$script'): string {
  return `${variable} = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${scriptB64(scriptText)}'))`;
}

/** The Invoke-Command line that runs `$script` in the session `$s` (as a job, so servers run in parallel). */
export const INVOKE_IN_SESSION = 'Invoke-Command -Session $s -ScriptBlock ([scriptblock]::Create($script)) -AsJob';

/**
 * Starts a generated script in the server's session as job `jobId`. When the session is missing or
 * not Opened (broken by a reboot, a network cut, a restarted shell) nothing starts and the answer
 * says so: `{ kind: 'printha.job', id, started, state }`.
 */
export function startJobScript(label: string, jobId: string, scriptText: string): string {
  const l = quotePwsh(label);
  const id = quotePwsh(jobId);
  return [
    `$s = $global:PrintHASessions[${l}]`,
    "$phaState = 'None'",
    'if ($null -ne $s) { $phaState = [string]$s.State }',
    "if ($phaState -eq 'Opened') {",
    `  ${decodeScriptLine(scriptText)}`,
    `  $global:PrintHAJobs[${id}] = ${INVOKE_IN_SESSION}`,
    '}',
    `$phaOut = [pscustomobject]@{ kind = 'printha.job'; id = ${id}; started = ($phaState -eq 'Opened'); state = $phaState }`,
    'ConvertTo-Json -InputObject $phaOut -Compress',
  ].join('\n');
}

/**
 * Waits up to `waitSeconds` for any of the jobs, then reports every job: still running, or finished
 * with its output (strings), its error records and, when it failed, the reason and its .NET type.
 * Finished jobs are received and removed. Prints `{ kind: 'printha.jobs', jobs: [...] }`.
 */
export function pollJobsScript(jobIds: readonly string[], waitSeconds: number): string {
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new Error('waitSeconds must be a whole number >= 0');
  return [
    `$phaIds = @(${jobIds.map(quotePwsh).join(', ')})`,
    '$phaWait = @($phaIds | ForEach-Object { $global:PrintHAJobs[$_] } | Where-Object { $null -ne $_ })',
    `if ($phaWait.Count -gt 0) { $null = Wait-Job -Job $phaWait -Any -Timeout ${waitSeconds} }`,
    '$phaList = New-Object System.Collections.ArrayList',
    'foreach ($phaId in $phaIds) {',
    '  $j = $global:PrintHAJobs[$phaId]',
    '  if ($null -eq $j) {',
    "    [void]$phaList.Add([pscustomobject]@{ id = $phaId; state = 'Missing' })",
    '    continue',
    '  }',
    '  $st = [string]$j.State',
    "  if ($st -eq 'NotStarted' -or $st -eq 'Running' -or $st -eq 'Stopping') {",
    '    [void]$phaList.Add([pscustomobject]@{ id = $phaId; state = $st })',
    '    continue',
    '  }',
    '  $phaErrs = $null',
    '  $phaOutput = @(Receive-Job -Job $j -ErrorAction SilentlyContinue -ErrorVariable phaErrs | ForEach-Object { [string]$_ })',
    "  $phaReason = ''",
    "  $phaReasonType = ''",
    '  $phaChild = @($j.ChildJobs) | Select-Object -First 1',
    '  if ($null -ne $phaChild -and $null -ne $phaChild.JobStateInfo.Reason) {',
    '    $phaReason = [string]$phaChild.JobStateInfo.Reason.Message',
    '    $phaReasonType = [string]$phaChild.JobStateInfo.Reason.GetType().FullName',
    '  }',
    '  Remove-Job -Job $j -Force',
    '  $global:PrintHAJobs.Remove($phaId)',
    '  [void]$phaList.Add([pscustomobject]@{ id = $phaId; state = $st; output = $phaOutput; errors = @($phaErrs | ForEach-Object { [string]$_ }); reason = $phaReason; reasonType = $phaReasonType })',
    '}',
    "$phaOut = [pscustomobject]@{ kind = 'printha.jobs'; jobs = $phaList.ToArray() }",
    'ConvertTo-Json -InputObject $phaOut -Depth 5 -Compress',
  ].join('\n');
}

/** Stops a job that ran out of time and drops the server's session (it is reopened next time). */
export function stopJobScript(label: string, jobId: string): string {
  const l = quotePwsh(label);
  const id = quotePwsh(jobId);
  return [
    `$j = $global:PrintHAJobs[${id}]`,
    'if ($null -ne $j) {',
    '  Stop-Job -Job $j -ErrorAction SilentlyContinue',
    '  Remove-Job -Job $j -Force -ErrorAction SilentlyContinue',
    `  $global:PrintHAJobs.Remove(${id})`,
    '}',
    `$s = $global:PrintHASessions[${l}]`,
    'if ($null -ne $s) {',
    '  Remove-PSSession -Session $s -ErrorAction SilentlyContinue',
    `  $global:PrintHASessions.Remove(${l})`,
    '}',
    `ConvertTo-Json -InputObject ([pscustomobject]@{ kind = 'printha.stopped'; id = ${id} }) -Compress`,
  ].join('\n');
}

/** Removes every session PrintHA opened in this shell. */
export const CLOSE_SESSIONS_SCRIPT = [
  'foreach ($s in @($global:PrintHASessions.Values)) { Remove-PSSession -Session $s -ErrorAction SilentlyContinue }',
  '$global:PrintHASessions = @{}',
  "ConvertTo-Json -InputObject ([pscustomobject]@{ kind = 'printha.closed' }) -Compress",
].join('\n');

/**
 * A full generated script (with its param() block) run in the LOCAL shell, e.g. dns/record.ps1
 * against the DNS server with -ComputerName (never from inside a print-server session: that would
 * be a Kerberos second hop).
 */
export function localScriptBody(scriptText: string): string {
  return [decodeScriptLine(scriptText, '$phaScript'), '& ([scriptblock]::Create($phaScript))'].join('\n');
}

/** The command an administrator runs ON THIS MACHINE to trust the servers over WinRM/HTTP. Never run by PrintHA. */
export function trustedHostsCommand(hosts: readonly string[]): string {
  return `Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value ${quotePwsh(hosts.join(','))} -Concatenate -Force`;
}

/** What a laptop outside the domain needs for WinRM over HTTP (shown, never applied). */
export function trustedHostsGuidance(hosts: readonly string[]): string {
  return (
    "Without Kerberos (this machine is not in the servers' domain, or servers are given by IP address) WinRM over HTTP " +
    'only talks to servers listed in TrustedHosts, and credentials must be given explicitly. In an elevated PowerShell on this machine run: ' +
    `${trustedHostsCommand(hosts)} ` +
    '(-Concatenate keeps the existing entries; the WinRM service must be running: Start-Service WinRM). ' +
    'TrustedHosts disables the server identity check for those names — prefer windows.transport: winrm-https with a trusted certificate. PrintHA never changes TrustedHosts itself.'
  );
}

/** Why the found PowerShell cannot use the site's transport from this OS, or undefined when it can. */
export function remotingSupport(found: PowerShellFound, platform: NodeJS.Platform, transport: Transport): string | undefined {
  if (transport === 'ssh' && found.kind === 'windows-powershell')
    return `PowerShell over SSH (windows.transport: ssh) needs PowerShell 7 (pwsh) on this machine; only Windows PowerShell was found at ${found.path}. Install PowerShell 7 or use windows.transport: winrm / winrm-https`;
  if (transport !== 'ssh' && platform !== 'win32')
    return `WinRM remoting (windows.transport: ${transport}) is not supported by PowerShell on ${platform === 'darwin' ? 'macOS' : 'Linux'}: use windows.transport: ssh (PowerShell 7 and OpenSSH on the servers), or run PrintHA on a Windows machine`;
  return undefined;
}

export type RemoteErrorKind =
  | 'credentials'
  | 'trusted-hosts'
  | 'unreachable'
  | 'certificate'
  | 'ssh-auth'
  | 'ssh-host-key'
  | 'ssh-subsystem'
  | 'unsupported'
  | 'connection-lost'
  | 'timeout'
  | 'config'
  | 'shell'
  | 'script';

/** A failure to reach or use one server, with a message an engineer can act on. */
export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    readonly server: string,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

function tidy(raw: string): string {
  const oneLine = raw.replace(/\s+/g, ' ').trim();
  return oneLine.length > 400 ? `${oneLine.slice(0, 400)}…` : oneLine;
}

const PATTERNS: [RemoteErrorKind, RegExp][] = [
  ['unsupported', /requires WSMan|no supported WSMan client library|MI_RESULT_ACCESS_DENIED|libmi|psrpclient/i],
  ['ssh-subsystem', /subsystem request failed|subsystem .*not (found|configured)/i],
  ['ssh-host-key', /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \w+ host key is known/i],
  [
    'ssh-auth',
    /Permission denied \((publickey|password|keyboard)|Too many authentication failures|Load key .*: (invalid format|bad permissions|incorrect passphrase)/i,
  ],
  ['trusted-hosts', /TrustedHosts|ServerNotTrusted|CannotUseIPAddress/i],
  ['certificate', /SSL certificate|certificate (is|was|chain)|CN\) that does not match|unknown certificate authority|revocation/i],
  [
    'credentials',
    /Access is denied|AccessDenied|user name or password is incorrect|Logon failure|unknown user name or bad password|LogonFailure|account (is disabled|has expired)|password has expired/i,
  ],
  [
    'connection-lost',
    /connection to the remote (computer|host) was (lost|closed)|has been interrupted|I\/O operation has been aborted|session state is Broken|pipeline has been stopped|PSRemotingTransportException|remote session .* (closed|broken)|connection (was )?reset/i,
  ],
  [
    'unreachable',
    /WinRM cannot complete the operation|cannot connect to the destination|No such host is known|network path was not found|Could not resolve hostname|Name or service not known|Connection refused|ConnectionRefused|No route to host|Connection timed out|timed out|Network is unreachable|WinRMOperationTimeout|cannot find the computer|unable to connect|SSH transport process has abruptly terminated/i,
  ],
];

/** Classifies a raw PowerShell / ssh error text (kind only; see remoteErrorFrom for the message). */
export function classifyRemoteFailure(raw: string): RemoteErrorKind {
  for (const [kind, re] of PATTERNS) if (re.test(raw)) return kind;
  return 'script';
}

/** The RemoteError for what PowerShell said when it reached (or failed to reach) the target. */
export function remoteErrorFrom(raw: string, t: RemoteTarget, kind: RemoteErrorKind = classifyRemoteFailure(raw)): RemoteError {
  const who = `${t.label} (${t.host})`;
  const said = tidy(raw);
  const via =
    t.transport === 'ssh'
      ? `PowerShell over SSH on port ${t.port}`
      : t.transport === 'winrm-https'
        ? `WinRM over HTTPS on port ${t.port}`
        : `WinRM over HTTP on port ${t.port}`;
  switch (kind) {
    case 'credentials': {
      const local = t.transport !== 'ssh' && !/[\\@]/.test(t.user);
      return new RemoteError(
        kind,
        t.label,
        `${who} refused the credentials of ${t.user}: check windows.user in the site file and the Windows password (PRINTHA_WINDOWS_PASSWORD, the vault or the prompt); ` +
          `the account must be a local administrator of the server${local ? ' (a local account other than the built-in Administrator also needs LocalAccountTokenFilterPolicy=1 on the server)' : ''}. Windows said: ${said}`,
      );
    }
    case 'trusted-hosts':
      return new RemoteError(
        kind,
        t.label,
        `${who} cannot be used over WinRM/HTTP from this machine yet. ${trustedHostsGuidance([t.host])} Windows said: ${said}`,
      );
    case 'unreachable':
      return new RemoteError(
        kind,
        t.label,
        `${who} does not answer ${via}: check that the server is on, that ${t.host} is right in the site file (servers[].hostname / servers[].address), ` +
          (t.transport === 'ssh'
            ? `that sshd runs on it and the firewall allows TCP ${t.port}.`
            : `that WinRM listens (Enable-PSRemoting -Force on the server${t.transport === 'winrm-https' ? ', plus an HTTPS listener' : ''}) and the firewall allows TCP ${t.port}.`) +
          ` PowerShell said: ${said}`,
      );
    case 'certificate':
      return new RemoteError(
        kind,
        t.label,
        `the HTTPS certificate of ${who} is not trusted by this machine: install its issuing CA here, or use the name the certificate was issued to as servers[].hostname. ` +
          `Only if you accept the risk, set windows.skipCertificateCheck: true in the site file. PowerShell said: ${said}`,
      );
    case 'ssh-auth':
      return new RemoteError(
        kind,
        t.label,
        `${who} refused the SSH key of ${t.user}: check windows.user and the key file (PRINTHA_WINDOWS_SSH_KEY${t.keyFilePath ? `: ${t.keyFilePath}` : ''}); its public key must be in the user's authorized_keys ` +
          `(C:\\ProgramData\\ssh\\administrators_authorized_keys for administrators on Windows). ssh said: ${said}`,
      );
    case 'ssh-host-key':
      return new RemoteError(
        kind,
        t.label,
        `the SSH host key of ${who} is unknown or has changed: compare its fingerprint with the server console (ssh-keygen -lf on the host key) and add it to ${t.knownHostsFile ?? 'your known_hosts file'}; ` +
          `PrintHA does not accept unknown keys. ssh said: ${said}`,
      );
    case 'ssh-subsystem':
      return new RemoteError(
        kind,
        t.label,
        `${who} accepts SSH but has no PowerShell subsystem: install PowerShell 7 on the server, add "Subsystem powershell c:/progra~1/powershell/7/pwsh.exe -sshs" to C:\\ProgramData\\ssh\\sshd_config and restart sshd. ssh said: ${said}`,
      );
    case 'connection-lost':
      return new RemoteError(kind, t.label, `the connection to ${who} was lost (${via}): ${said}`);
    case 'unsupported':
      return new RemoteError(kind, t.label, `${via} to ${who} is not possible from this machine: ${said}`);
    default:
      return new RemoteError(kind, t.label, `${who}: ${said}`);
  }
}

/**
 * The session layer the Windows engine talks to. `invoke` runs a generated script on one server
 * (opening or re-opening its session as needed) and resolves with the ONE JSON object the script
 * printed; failures reject with RemoteError. `invokeLocal` runs a script on this machine.
 */
export interface RemoteShell {
  invoke(server: string, scriptText: string, timeoutMs: number): Promise<unknown>;
  invokeLocal(scriptText: string, timeoutMs: number): Promise<unknown>;
  /** The server went away on purpose (a restart): its session is not reused, the next invoke opens a new one. */
  forget?(server: string): void;
  close(): Promise<void>;
}
