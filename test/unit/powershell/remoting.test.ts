/**
 * The exact PowerShell remoting command lines (issue 5) and the messages for failed connections.
 * Pure text: nothing here needs PowerShell. The generated texts are also checked with the project's
 * PowerShell 3.0 lint (tree-sitter) for syntax errors; PowerShell's own parser runs only where pwsh exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPs3 } from '../../../electron/core/powershell/ps3lint.js';
import {
  classifyRemoteFailure,
  CLOSE_SESSIONS_SCRIPT,
  credentialLine,
  decodeScriptLine,
  localScriptBody,
  newSessionCommand,
  openSessionScript,
  pollJobsScript,
  remoteErrorFrom,
  remoteTarget,
  remotingSupport,
  startJobScript,
  stopJobScript,
  trustedHostsCommand,
  trustedHostsGuidance,
  type RemoteTarget,
} from '../../../electron/core/powershell/remoting.js';
import { RESTART_SCRIPT } from '../../../electron/core/powershell/windows-engine.js';
import { loadSiteYaml } from '../../../shared/site/load.js';
import type { Site } from '../../../shared/site/schema.js';

const ROOT = join(import.meta.dirname, '../../..');

function exampleSite(file = 'phoenix-dr.yaml'): Site {
  const r = loadSiteYaml(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not load`);
  return structuredClone(r.site);
}

const base: RemoteTarget = {
  label: 'PS1',
  transport: 'winrm',
  host: 'ps1.corp.example.com',
  port: 5985,
  user: 'CORP\\deploy',
  skipCertificateCheck: false,
};

describe('newSessionCommand: the exact New-PSSession lines', () => {
  it('WinRM over HTTP with credentials, default port', () => {
    expect(newSessionCommand(base)).toBe("New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -Port 5985");
  });
  it('WinRM over HTTP with a custom port', () => {
    expect(newSessionCommand({ ...base, port: 15985 })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -Port 15985",
    );
  });
  it('WinRM with the current Windows logon (no -Credential)', () => {
    expect(newSessionCommand(base, { credential: false })).toBe("New-PSSession -ComputerName 'ps1.corp.example.com' -Port 5985");
  });
  it('WinRM over HTTPS: -UseSSL -Port 5986, certificate checked by default', () => {
    expect(newSessionCommand({ ...base, transport: 'winrm-https', port: 5986 })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -UseSSL -Port 5986",
    );
  });
  it('WinRM over HTTPS with a custom port', () => {
    expect(newSessionCommand({ ...base, transport: 'winrm-https', port: 443 })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -UseSSL -Port 443",
    );
  });
  it('WinRM over HTTPS skips the CA and CN checks ONLY when the site says so', () => {
    expect(newSessionCommand({ ...base, transport: 'winrm-https', port: 5986, skipCertificateCheck: true })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -UseSSL -Port 5986 -SessionOption (New-PSSessionOption -SkipCACheck -SkipCNCheck)",
    );
    // the flag means nothing for plain HTTP
    expect(newSessionCommand({ ...base, skipCertificateCheck: true })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -Port 5985",
    );
  });
  it('an open timeout goes into New-PSSessionOption, together with the certificate options', () => {
    expect(newSessionCommand({ ...base, openTimeoutMs: 30000 })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -Port 5985 -SessionOption (New-PSSessionOption -OpenTimeout 30000)",
    );
    expect(newSessionCommand({ ...base, transport: 'winrm-https', port: 5986, skipCertificateCheck: true, openTimeoutMs: 30000 })).toBe(
      "New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -UseSSL -Port 5986 -SessionOption (New-PSSessionOption -OpenTimeout 30000 -SkipCACheck -SkipCNCheck)",
    );
  });
  it('PowerShell over SSH: -HostName -UserName -KeyFilePath -Port', () => {
    const t: RemoteTarget = { ...base, transport: 'ssh', port: 22, user: 'deploy', keyFilePath: '/home/eng/.ssh/id_ed25519' };
    expect(newSessionCommand(t)).toBe(
      "New-PSSession -HostName 'ps1.corp.example.com' -UserName 'deploy' -KeyFilePath '/home/eng/.ssh/id_ed25519' -Port 22",
    );
    expect(newSessionCommand({ ...t, port: 2222 })).toBe(
      "New-PSSession -HostName 'ps1.corp.example.com' -UserName 'deploy' -KeyFilePath '/home/eng/.ssh/id_ed25519' -Port 2222",
    );
  });
  it('PowerShell over SSH never passes -Credential; timeout and strict known_hosts when given', () => {
    const t: RemoteTarget = {
      ...base,
      transport: 'ssh',
      port: 22,
      user: 'CORP\\deploy',
      keyFilePath: 'C:\\Users\\eng\\.ssh\\id_ed25519',
      knownHostsFile: "C:\\Users\\eng's\\known_hosts",
      openTimeoutMs: 30000,
    };
    expect(newSessionCommand(t)).toBe(
      "New-PSSession -HostName 'ps1.corp.example.com' -UserName 'CORP\\deploy' -KeyFilePath 'C:\\Users\\eng\\.ssh\\id_ed25519' -Port 22 -ConnectingTimeout 30000 -Options @{ UserKnownHostsFile = 'C:\\Users\\eng''s\\known_hosts'; StrictHostKeyChecking = 'yes' }",
    );
    expect(newSessionCommand(t)).not.toContain('-Credential');
  });
  it('quotes every value: a hostile user or host stays one literal', () => {
    const evil = "x'; Remove-Item C:\\ -Recurse; '";
    const line = newSessionCommand({ ...base, transport: 'ssh', port: 22, host: evil, user: 'a\u2019b$(calc)' });
    expect(line).toBe("New-PSSession -HostName 'x''; Remove-Item C:\\ -Recurse; ''' -UserName 'a\u2019\u2019b$(calc)' -Port 22");
    expect(credentialLine("o'brien")).toBe(
      "$cred = New-Object System.Management.Automation.PSCredential -ArgumentList @('o''brien', $phaSecret)",
    );
  });
  it('rejects a timeout that is not a whole number of milliseconds', () => {
    expect(() => newSessionCommand({ ...base, openTimeoutMs: 1.5 })).toThrow(/whole number/);
  });
});

describe('remoteTarget: from the site file', () => {
  it('uses the hostname (Kerberos) when given, else the address; the transport default port unless overridden', () => {
    const s = exampleSite();
    expect(remoteTarget(s, 'PS1')).toEqual({
      label: 'PS1',
      transport: 'winrm',
      host: 'ps1.corp.example.com',
      port: 5985,
      user: 'CORP\\deploy',
      skipCertificateCheck: false,
    });
    s.servers[1] = { label: 'PS2', address: '192.168.81.185', weight: 100 };
    s.windows = { transport: 'winrm-https', user: 'CORP\\deploy', port: 8443, skipCertificateCheck: true };
    expect(remoteTarget(s, 'PS2', { openTimeoutMs: 30000 })).toEqual({
      label: 'PS2',
      transport: 'winrm-https',
      host: '192.168.81.185',
      port: 8443,
      user: 'CORP\\deploy',
      skipCertificateCheck: true,
      openTimeoutMs: 30000,
    });
  });
  it('ssh: the key file and known_hosts come from the options, never from the site file', () => {
    const s = exampleSite('lab-lborg-dr.yaml');
    expect(remoteTarget(s, 'PS1', { keyFilePath: '/k', knownHostsFile: '/kh' })).toEqual({
      label: 'PS1',
      transport: 'ssh',
      host: 'pha-ps1.lab.printha.test',
      port: 22,
      user: 'root',
      skipCertificateCheck: false,
      keyFilePath: '/k',
      knownHostsFile: '/kh',
    });
    expect(newSessionCommand(remoteTarget(s, 'PS2', { keyFilePath: '/k' }))).toBe(
      "New-PSSession -HostName 'pha-ps2.lab.printha.test' -UserName 'root' -KeyFilePath '/k' -Port 22",
    );
  });
  it('skipCertificateCheck is ignored for plain WinRM', () => {
    const s = exampleSite();
    s.windows = { transport: 'winrm', user: 'CORP\\deploy', skipCertificateCheck: true };
    expect(remoteTarget(s, 'PS1').skipCertificateCheck).toBe(false);
  });
  it('an unknown label is an error naming it', () => {
    expect(() => remoteTarget(exampleSite(), 'PS9')).toThrow('no server with label "PS9"');
  });
});

describe('session scripts', () => {
  it('openSessionScript: replaces an old session, builds $cred from the SecureString, stores the session per label', () => {
    const text = openSessionScript(base, { credential: true });
    expect(text.split('\n')).toEqual([
      "$phaOld = $global:PrintHASessions['PS1']",
      'if ($null -ne $phaOld) {',
      '  Remove-PSSession -Session $phaOld -ErrorAction SilentlyContinue',
      "  $global:PrintHASessions.Remove('PS1')",
      '}',
      "$cred = New-Object System.Management.Automation.PSCredential -ArgumentList @('CORP\\deploy', $phaSecret)",
      "$s = New-PSSession -ComputerName 'ps1.corp.example.com' -Credential $cred -Port 5985",
      "$global:PrintHASessions['PS1'] = $s",
      "$phaOut = [pscustomobject]@{ kind = 'printha.session'; label = 'PS1'; state = [string]$s.State; computerName = [string]$s.ComputerName }",
      'ConvertTo-Json -InputObject $phaOut -Compress',
    ]);
  });
  it('openSessionScript over SSH has no credential line', () => {
    const text = openSessionScript({ ...base, transport: 'ssh', port: 22, keyFilePath: '/k' }, { credential: true });
    expect(text).not.toContain('$cred');
    expect(text).toContain("$s = New-PSSession -HostName 'ps1.corp.example.com' -UserName 'CORP\\deploy' -KeyFilePath '/k' -Port 22");
  });
  it('startJobScript: the generated script travels base64 and runs with Invoke-Command -Session $s -ScriptBlock ([scriptblock]::Create($script))', () => {
    const script = 'Write-Output \'héllo\'\n$x = "$(Get-Date)"';
    const text = startJobScript('PS1', 'j7', script);
    const b64 = Buffer.from(script, 'utf8').toString('base64');
    expect(text).toContain(`  $script = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${b64}'))`);
    expect(text).toContain("  $global:PrintHAJobs['j7'] = Invoke-Command -Session $s -ScriptBlock ([scriptblock]::Create($script)) -AsJob");
    expect(text).toContain("$s = $global:PrintHASessions['PS1']");
    expect(text).not.toContain('héllo');
    expect(text).not.toContain('Get-Date');
  });
  it('decodeScriptLine and localScriptBody run a full script (param block included) from base64', () => {
    expect(decodeScriptLine('param([switch]$DryRun)', '$v')).toBe(
      "$v = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('cGFyYW0oW3N3aXRjaF0kRHJ5UnVuKQ=='))",
    );
    expect(localScriptBody('param([switch]$DryRun)').split('\n')[1]).toBe('& ([scriptblock]::Create($phaScript))');
  });
  it('pollJobsScript / stopJobScript quote the ids and labels', () => {
    expect(pollJobsScript(['j1', 'j2'], 1).split('\n')[0]).toBe("$phaIds = @('j1', 'j2')");
    expect(pollJobsScript(['j1'], 1)).toContain('Wait-Job -Job $phaWait -Any -Timeout 1');
    expect(() => pollJobsScript(['j1'], 0.5)).toThrow();
    const stop = stopJobScript("P'S", 'j3');
    expect(stop).toContain("$global:PrintHASessions['P''S']");
    expect(stop).toContain('Stop-Job -Job $j');
  });
  it('every script PrintHA sends parses (tree-sitter) and the server-side restart script is PowerShell 3.0', async () => {
    const texts = [
      openSessionScript(base, { credential: true }),
      openSessionScript(
        { ...base, transport: 'winrm-https', port: 5986, skipCertificateCheck: true, openTimeoutMs: 30000 },
        { credential: true },
      ),
      startJobScript('PS1', 'j1', 'Get-Date'),
      pollJobsScript(['j1', 'j2'], 1),
      stopJobScript('PS1', 'j1'),
      CLOSE_SESSIONS_SCRIPT,
      localScriptBody('Get-Date'),
    ];
    for (const t of texts) expect((await lintPs3(t)).parseErrors).toEqual([]);
    const restart = await lintPs3(RESTART_SCRIPT);
    expect(restart.parseErrors).toEqual([]);
    expect(restart.violations).toEqual([]);
  });
});

describe('TrustedHosts guidance (shown, never run)', () => {
  it('gives the exact Set-Item command with -Concatenate', () => {
    expect(trustedHostsCommand(['ps1.corp.example.com', '192.168.81.185'])).toBe(
      "Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value 'ps1.corp.example.com,192.168.81.185' -Concatenate -Force",
    );
    const g = trustedHostsGuidance(['192.168.81.185']);
    expect(g).toContain("Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value '192.168.81.185' -Concatenate -Force");
    expect(g).toContain('PrintHA never changes TrustedHosts itself');
    expect(g).toContain('winrm-https');
  });
});

describe('remotingSupport', () => {
  const pwsh = { path: '/usr/bin/pwsh', kind: 'pwsh' as const };
  const winps = { path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', kind: 'windows-powershell' as const };
  it('WinRM from Linux/macOS is refused with the way out', () => {
    expect(remotingSupport(pwsh, 'linux', 'winrm')).toMatch(
      /^WinRM remoting \(windows\.transport: winrm\) is not supported by PowerShell on Linux: use windows\.transport: ssh/,
    );
    expect(remotingSupport(pwsh, 'darwin', 'winrm-https')).toContain('on macOS');
    expect(remotingSupport(pwsh, 'linux', 'ssh')).toBeUndefined();
  });
  it('SSH needs PowerShell 7; Windows PowerShell does WinRM only', () => {
    expect(remotingSupport(winps, 'win32', 'ssh')).toContain(
      'needs PowerShell 7 (pwsh) on this machine; only Windows PowerShell was found at C:\\Windows',
    );
    expect(remotingSupport(winps, 'win32', 'winrm')).toBeUndefined();
    expect(remotingSupport(pwsh, 'win32', 'winrm-https')).toBeUndefined();
  });
});

describe('remoteErrorFrom: what Windows says, turned into what to do', () => {
  const https: RemoteTarget = { ...base, transport: 'winrm-https', port: 5986 };
  const ssh: RemoteTarget = { ...base, transport: 'ssh', port: 22, user: 'deploy', keyFilePath: '/k' };
  const cases: [string, RemoteTarget, string, RegExp][] = [
    [
      'Connecting to remote server ps1 failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic.',
      base,
      'credentials',
      /^PS1 \(ps1\.corp\.example\.com\) refused the credentials of CORP\\deploy: check windows\.user/,
    ],
    ['The user name or password is incorrect.', { ...base, user: 'admin' }, 'credentials', /also needs LocalAccountTokenFilterPolicy=1/],
    [
      'Connecting to remote server 192.168.81.185 failed with the following error message : The WinRM client cannot process the request. Default authentication may be used with an IP address under the following conditions: the transport is HTTPS or the destination is in the TrustedHosts list, and explicit credentials are provided. Use winrm.cmd to configure TrustedHosts.',
      { ...base, host: '192.168.81.185' },
      'trusted-hosts',
      /Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value '192\.168\.81\.185' -Concatenate -Force/,
    ],
    [
      'Connecting to remote server ps1 failed with the following error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled.',
      base,
      'unreachable',
      /does not answer WinRM over HTTP on port 5985: .*Enable-PSRemoting -Force/,
    ],
    ['The SSL certificate is signed by an unknown certificate authority.', https, 'certificate', /windows\.skipCertificateCheck: true/],
    [
      'The SSL certificate contains a common name (CN) that does not match the hostname.',
      https,
      'certificate',
      /not trusted by this machine/,
    ],
    [
      'The SSH client session has ended with error message: deploy@ps1: Permission denied (publickey,password).',
      ssh,
      'ssh-auth',
      /refused the SSH key of deploy: .*PRINTHA_WINDOWS_SSH_KEY/,
    ],
    [
      'The SSH client session has ended with error message: Host key verification failed.',
      ssh,
      'ssh-host-key',
      /PrintHA does not accept unknown keys/,
    ],
    [
      'The SSH client session has ended with error message: subsystem request failed on channel 0',
      ssh,
      'ssh-subsystem',
      /Subsystem powershell c:\/progra~1\/powershell\/7\/pwsh\.exe -sshs/,
    ],
    [
      'ssh: connect to host ps1.corp.example.com port 22: Connection refused',
      ssh,
      'unreachable',
      /does not answer PowerShell over SSH on port 22: .*sshd runs/,
    ],
    ['ssh: Could not resolve hostname ps1.corp.example.com: Name or service not known', ssh, 'unreachable', /servers\[\]\.hostname/],
    [
      'The I/O operation has been aborted because of either a thread exit or an application request.',
      base,
      'connection-lost',
      /^the connection to PS1 \(ps1\.corp\.example\.com\) was lost/,
    ],
    [
      'This parameter set requires WSMan, and no supported WSMan client library was found.',
      base,
      'unsupported',
      /is not possible from this machine/,
    ],
    ['Something nobody expected\n   at line 3', base, 'script', /^PS1 \(ps1\.corp\.example\.com\): Something nobody expected at line 3$/],
  ];
  for (const [raw, t, kind, re] of cases) {
    it(`${kind}: ${raw.slice(0, 60)}`, () => {
      expect(classifyRemoteFailure(raw)).toBe(kind);
      const e = remoteErrorFrom(raw, t);
      expect(e.kind).toBe(kind);
      expect(e.server).toBe(t.label);
      expect(e.message).toMatch(re);
      expect(e.message).not.toMatch(/\n/);
    });
  }
  it('long raw texts are cut', () => {
    expect(remoteErrorFrom('x'.repeat(2000), base).message.length).toBeLessThan(500);
  });
});
