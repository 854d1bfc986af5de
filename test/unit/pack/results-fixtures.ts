/** Result files as the pack's scripts write them (printha-run.ps1 envelopes around the scripts' JSON). */
export function prepareJson(label: string, opts: { dryRun?: boolean; secret?: string; psQuirk?: boolean } = {}): unknown {
  return {
    kind: 'printha.prepare',
    version: 1,
    server: label,
    computerName: label,
    mode: 'snat',
    dryRun: opts.dryRun ?? false,
    steps: [
      { step: 'registry:DisableLoopbackCheck', status: opts.dryRun ? 'would-change' : 'changed', before: null, after: 1, message: '' },
      { step: 'registry:DisableStrictNameChecking', status: 'unchanged', before: 1, after: 1, message: null },
      { step: 'registry:OptionalNames', status: opts.dryRun ? 'would-change' : 'changed', before: ['OLDNAME'], after: ['OLDNAME', 'Dispatcher'], message: opts.secret ? `merged (login ${opts.secret})` : 'merged' },
      { step: 'netbios:12', status: 'unchanged', before: 2, after: 2, message: '' },
    ],
    changed: !opts.dryRun,
    rebootRequired: !opts.dryRun,
    // Windows PowerShell 3.0-5.1 may wrap an empty array like this.
    errors: opts.psQuirk ? { value: [], Count: 0 } : [],
  };
}

export function verifyJson(label: string, address: string, shares: string[]): unknown {
  return {
    kind: 'printha.verify',
    version: 1,
    label,
    reachable: true,
    computerName: label,
    domainMember: true,
    domain: 'corp.example.com',
    printServerRole: true,
    printServerRoleSource: 'Get-WindowsFeature',
    printerShares: shares,
    productServices: [{ name: 'KMBS SEC Workflow', displayName: null, status: 'Running' }],
    nics: [{ alias: 'Ethernet0', index: 12, description: 'vmxnet3', addresses: [address], netbiosOptions: 2, weakHostReceive: false, weakHostSend: false, isLoopback: false, dadTransmits: 1, ipEnabled: true }],
    registry: { disableLoopbackCheck: 1, disableStrictNameChecking: 1, optionalNames: ['OLDNAME', 'Dispatcher'] },
    loopbackAdapter: null,
    pendingReboot: false,
    pendingRebootReasons: [],
    psVersion: '5.1.17763.1',
    lastBootTime: '2026-05-01T10:20:00Z',
    checks: [
      { id: 'registry:DisableLoopbackCheck', expected: 1, actual: 1, ok: true, message: 'Lsa DisableLoopbackCheck REG_DWORD 1' },
      { id: 'netbios:Ethernet0', expected: 2, actual: 2, ok: true, message: '' },
      { id: 'printer-shares', expected: null, actual: shares, ok: shares.length > 0, message: null },
    ],
    errors: [],
  };
}

/** What printha-run.ps1 writes: the script's JSON inside an envelope with when and where it ran. */
export function envelope(script: string, folder: string, result: unknown, startedAt: string, durationMs = 1500, dryRun = false): string {
  const finishedAt = new Date(Date.parse(startedAt) + durationMs).toISOString().replace('Z', '0000Z');
  return `{"kind":"printha.result","version":1,"script":${JSON.stringify(script)},"folder":${JSON.stringify(folder)},"computerName":${JSON.stringify(folder)},"startedAt":${JSON.stringify(startedAt.replace('Z', '0000Z'))},"finishedAt":${JSON.stringify(finishedAt)},"durationMs":${durationMs},"dryRun":${dryRun},"result":${JSON.stringify(result)}}`;
}
