/**
 * The lab's setupapi.dll / newdev.dll stand-in (test/lab/winshim/setupapi/, a TEST DOUBLE): built with
 * build.sh into a temp dir and driven by the REAL loopback installer of prepare.ps1 (the C# here-string and
 * the Install-PrintHALoopback function cut out of renderPrepareScript for examples/lab-lborg-dr.yaml), under
 * real pwsh (7.6) with the library found by .NET's own probing (LD_LIBRARY_PATH) and PRINTHA_WINSHIM_STATE
 * pointing at a temp dir. Strict cases run textual variants of the same C# and expect the Win32 error that
 * the C# reads with Marshal.GetLastWin32Error() (errno on Linux).
 * pwsh and gcc are REQUIRED: without them this file fails (it is not skipped).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSite } from '../../../shared/model/resolve.js';
import { prepareConfig, renderPrepareScript } from '../../../shared/render/powershell/prepare.js';
import { loadSiteYaml } from '../../../shared/site/load.js';

const ROOT = join(import.meta.dirname, '../../..');
const BUILD = join(ROOT, 'test/lab/winshim/setupapi/build.sh');
const NET_CLASS = '{4d36e972-e325-11ce-bfc1-08002be10318}';
const run = promisify(execFile);

/** Win32 / SetupAPI error codes as .NET's int (Marshal.GetLastWin32Error). */
const win32 = (code: number) => code | 0;
const E = {
  FILE_NOT_FOUND: 2,
  INVALID_HANDLE: 6,
  INVALID_DATA: 13,
  INVALID_PARAMETER: 87,
  CALL_NOT_IMPLEMENTED: 120,
  INVALID_FLAGS: 1004,
  INVALID_WINDOW_HANDLE: 1400,
  INVALID_USER_BUFFER: 1784,
  CLASS_MISMATCH: win32(0xe0000201),
  INVALID_CLASS: win32(0xe0000206),
  INVALID_REG_PROPERTY: win32(0xe0000209),
  NO_SUCH_DEVINST: win32(0xe000020b),
  NO_COMPAT_DRIVERS: win32(0xe0000228),
};

const PATH = [process.env.PATH ?? '', join(homedir(), '.dotnet/tools')].join(delimiter);
function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { env: { ...process.env, PATH }, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The real installer from the rendered prepare.ps1: the Install-PrintHALoopback function and its C#. */
function realInstaller() {
  const loaded = loadSiteYaml(readFileSync(join(ROOT, 'examples/lab-lborg-dr.yaml'), 'utf8'));
  if (!loaded.ok) throw new Error('examples/lab-lborg-dr.yaml does not load: ' + loaded.findings.map((f) => f.message).join('; '));
  const site = resolveSite(loaded.site);
  const label = site.site.servers[0]?.label ?? '';
  const script = renderPrepareScript(site, label);
  const start = script.indexOf('function Install-PrintHALoopback {');
  const open = script.indexOf("@'\n", start);
  const close = script.indexOf("\n'@\n", open);
  const end = script.indexOf('\n}\n', close);
  if (start < 0 || open < 0 || close < 0 || end < 0)
    throw new Error('prepare.ps1 no longer has Install-PrintHALoopback with a C# here-string');
  const loopback = prepareConfig(site, label).loopback;
  if (loopback === null) throw new Error('lab-lborg-dr.yaml is expected to be a DR site (loopback adapter)');
  return { fn: script.slice(start, end + 3), cs: script.slice(open + 3, close), loopback };
}

/** A variant of the real C#: one exact edit (which must still apply) and its own namespace. */
function variant(cs: string, ns: string, edits: [string, string][]): string {
  let out = cs.replace('namespace PrintHA {', `namespace ${ns} {`);
  expect(out, 'the C# namespace line changed').not.toBe(cs);
  for (const [from, to] of edits) {
    expect(out.includes(from), `the installer C# no longer contains: ${from}`).toBe(true);
    out = out.replace(from, to);
  }
  return out;
}

// Test-owned direct calls (not the product's C#): handle and parameter checks the installer never hits.
const PROBE_CS = String.raw`using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
public static class PhaSetupApiProbe {
  [StructLayout(LayoutKind.Sequential)]
  public struct SP_DEVINFO_DATA { public int cbSize; public Guid ClassGuid; public int DevInst; public IntPtr Reserved; }
  [DllImport("setupapi.dll", SetLastError = true)]
  static extern IntPtr SetupDiCreateDeviceInfoList(ref Guid classGuid, IntPtr hwnd);
  [DllImport("setupapi.dll", SetLastError = true, CharSet = CharSet.Unicode)]
  static extern bool SetupDiCreateDeviceInfoW(IntPtr set, string name, ref Guid classGuid, string desc, IntPtr hwnd, int flags, ref SP_DEVINFO_DATA data);
  [DllImport("setupapi.dll", SetLastError = true, CharSet = CharSet.Unicode)]
  static extern bool SetupDiSetDeviceRegistryPropertyW(IntPtr set, ref SP_DEVINFO_DATA data, int prop, byte[] buf, int len);
  [DllImport("setupapi.dll", SetLastError = true)]
  static extern bool SetupDiCallClassInstaller(int fn, IntPtr set, ref SP_DEVINFO_DATA data);
  [DllImport("setupapi.dll", SetLastError = true)]
  static extern bool SetupDiDestroyDeviceInfoList(IntPtr set);
  [DllImport("newdev.dll", SetLastError = true, CharSet = CharSet.Unicode)]
  static extern bool UpdateDriverForPlugAndPlayDevicesW(IntPtr hwnd, string hwid, string inf, int flags, out bool reboot);
  static string R(bool ok) { return ok ? "ok" : "error " + Marshal.GetLastWin32Error(); }
  public static Dictionary<string, string> Run(string inf) {
    var r = new Dictionary<string, string>();
    Guid net = new Guid("4d36e972-e325-11ce-bfc1-08002be10318");
    Guid system = new Guid("4d36e97d-e325-11ce-bfc1-08002be10318");
    bool reboot;
    r["destroyUnknownHandle"] = R(SetupDiDestroyDeviceInfoList(new IntPtr(0x1234)));
    r["destroyInvalidHandleValue"] = R(SetupDiDestroyDeviceInfoList(new IntPtr(-1)));
    r["listWithHwnd"] = SetupDiCreateDeviceInfoList(ref net, new IntPtr(1)) == new IntPtr(-1) ? "error " + Marshal.GetLastWin32Error() : "ok";
    IntPtr set = SetupDiCreateDeviceInfoList(ref net, IntPtr.Zero);
    SP_DEVINFO_DATA d = new SP_DEVINFO_DATA();
    d.cbSize = 28;
    r["createWrongCbSize"] = R(SetupDiCreateDeviceInfoW(set, "Net", ref net, null, IntPtr.Zero, 1, ref d));
    d.cbSize = Marshal.SizeOf(typeof(SP_DEVINFO_DATA));
    r["cbSize"] = d.cbSize.ToString();
    r["createClassMismatch"] = R(SetupDiCreateDeviceInfoW(set, "Net", ref system, null, IntPtr.Zero, 1, ref d));
    r["createWithHwnd"] = R(SetupDiCreateDeviceInfoW(set, "Net", ref net, null, new IntPtr(1), 1, ref d));
    r["createBadFlags"] = R(SetupDiCreateDeviceInfoW(set, "Net", ref net, null, IntPtr.Zero, 0x100, ref d));
    r["createBadName"] = R(SetupDiCreateDeviceInfoW(set, "N\\et", ref net, null, IntPtr.Zero, 1, ref d));
    r["create"] = R(SetupDiCreateDeviceInfoW(set, "Net", ref net, null, IntPtr.Zero, 1, ref d));
    r["lastErrorAfterSuccess"] = Marshal.GetLastWin32Error().ToString();
    r["classGuidFilled"] = d.ClassGuid.ToString();
    byte[] sz = System.Text.Encoding.Unicode.GetBytes("Net\0");
    r["setReadOnlyProperty"] = R(SetupDiSetDeviceRegistryPropertyW(set, ref d, 7, sz, sz.Length));
    byte[] hw = System.Text.Encoding.Unicode.GetBytes("*MSLOOP\0\0");
    r["setHardwareIdOddLength"] = R(SetupDiSetDeviceRegistryPropertyW(set, ref d, 1, hw, hw.Length - 1));
    SP_DEVINFO_DATA stranger = d;
    stranger.Reserved = new IntPtr(0x10);
    r["registerForeignElement"] = R(SetupDiCallClassInstaller(0x19, set, ref stranger));
    r["difZero"] = R(SetupDiCallClassInstaller(0, set, ref d));
    r["updateNoDevnode"] = R(UpdateDriverForPlugAndPlayDevicesW(IntPtr.Zero, "*MSLOOP", inf, 5, out reboot));
    r["updateBadFlags"] = R(UpdateDriverForPlugAndPlayDevicesW(IntPtr.Zero, "*MSLOOP", inf, 0x40, out reboot));
    r["updateRelativeInf"] = R(UpdateDriverForPlugAndPlayDevicesW(IntPtr.Zero, "*MSLOOP", "netloop.inf", 5, out reboot));
    r["destroy"] = R(SetupDiDestroyDeviceInfoList(set));
    r["destroyTwice"] = R(SetupDiDestroyDeviceInfoList(set));
    r["registerAfterDestroy"] = R(SetupDiCallClassInstaller(0x19, set, ref d));
    return r;
  }
}`;

// Runs scenarios from a JSON spec in one pwsh; the state dir is switched per scenario with libc setenv
// (the stand-in reads it with getenv; $env: would not reach the C environment).
const HARNESS = String.raw`param([string]$SpecPath)
$ErrorActionPreference = 'Stop'
$spec = Get-Content -LiteralPath $SpecPath -Raw | ConvertFrom-Json
Add-Type -TypeDefinition 'using System.Runtime.InteropServices; public static class PhaTestEnv { [DllImport("libc.so.6")] public static extern int setenv(string n, string v, int o); }'
$out = [ordered]@{ psVersion = $PSVersionTable.PSVersion.ToString() }
foreach ($sc in $spec.scenarios) {
  if ($sc.state) { [void][PhaTestEnv]::setenv('PRINTHA_WINSHIM_STATE', [string]$sc.state, 1) }
  try {
    if ($sc.kind -eq 'product') {
      . ([scriptblock]::Create((Get-Content -LiteralPath $spec.installFn -Raw)))
      $env:windir = [string]$sc.windir
      $cfg = [pscustomobject]@{ loopback = $sc.loopback }
      $out[$sc.name] = @(Install-PrintHALoopback; Install-PrintHALoopback)
    } elseif ($sc.kind -eq 'type') {
      Add-Type -TypeDefinition (Get-Content -LiteralPath $sc.code -Raw) -Language CSharp
      $out[$sc.name] = ($sc.type -as [type])::Install([string]$sc.hardwareId, [string]$sc.inf)
    } else {
      Add-Type -TypeDefinition (Get-Content -LiteralPath $sc.code -Raw) -Language CSharp
      $out[$sc.name] = [PhaSetupApiProbe]::Run([string]$sc.inf)
    }
  } catch {
    $e = $_.Exception
    $msg = @()
    while ($null -ne $e) { $msg += ($e.GetType().FullName + ': ' + $e.Message); $e = $e.InnerException }
    $out[$sc.name] = 'THREW ' + ($msg -join ' <- ')
  }
}
ConvertTo-Json -InputObject $out -Depth 5 -Compress
`;

interface Scenario {
  name: string;
  kind: 'product' | 'type' | 'probe';
  state?: string;
  [k: string]: unknown;
}

describe('setupapi/newdev stand-in under real pwsh (the loopback installer of prepare.ps1)', () => {
  let tmp: string;
  let lib: string;
  let pwsh: string;
  let t0: number;
  let t1: number;
  const results: Record<string, unknown> = {};
  const stateOf: Record<string, string> = {};

  async function pwshRun(specName: string, scenarios: Scenario[], env: NodeJS.ProcessEnv, installFn: string) {
    const spec = join(tmp, `${specName}.json`);
    writeFileSync(spec, JSON.stringify({ installFn, scenarios }));
    try {
      const r = await run(pwsh, ['-NoProfile', '-NonInteractive', '-File', join(tmp, 'harness.ps1'), spec], {
        env: { ...process.env, PATH, LD_LIBRARY_PATH: lib, ...env },
        encoding: 'utf8',
        maxBuffer: 16 << 20,
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      Object.assign(results, JSON.parse(line) as Record<string, unknown>);
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`pwsh (${specName}) failed: ${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
    }
  }

  beforeAll(async () => {
    const found = which('pwsh');
    if (found === null)
      throw new Error(
        'pwsh (PowerShell 7.6) is REQUIRED for the setupapi stand-in test and was not found on PATH or in ~/.dotnet/tools ' +
          '(install: dotnet tool install --global PowerShell --version 7.6.*)',
      );
    pwsh = found;
    if (which('gcc') === null && process.env.CC === undefined) throw new Error('gcc is REQUIRED to build the setupapi stand-in (apt: gcc)');

    tmp = mkdtempSync(join(tmpdir(), 'winshim-setupapi-'));
    lib = join(tmp, 'lib');
    const b = spawnSync('bash', [BUILD, lib], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`build.sh failed (${b.status}):\n${b.stdout}\n${b.stderr}`);

    const real = realInstaller();
    writeFileSync(join(tmp, 'harness.ps1'), HARNESS);
    const installFn = join(tmp, 'install.ps1');
    writeFileSync(installFn, real.fn);
    const file = (name: string, text: string) => {
      writeFileSync(join(tmp, name), text);
      return join(tmp, name);
    };
    const state = (name: string) => {
      const d = join(tmp, 'state', name);
      mkdirSync(d, { recursive: true });
      stateOf[name] = d;
      return d;
    };
    const windir = join(tmp, 'Windows');
    mkdirSync(join(windir, 'inf'), { recursive: true });
    const inf = file('Windows/inf/netloop.inf', '; stand-in for the in-box netloop.inf\n');
    const otherInf = file('Windows/inf/oem1.inf', '; some other driver package\n');

    const typeCase = (name: string, edits: [string, string][], extra: Record<string, unknown> = {}): Scenario => {
      const ns = `PrintHA.Strict.${name}`;
      return {
        name,
        kind: 'type',
        state: state(name),
        code: file(`${name}.cs`, variant(real.cs, ns, edits)),
        type: `${ns}.LoopbackInstaller`,
        hardwareId: real.loopback.hardwareId,
        inf,
        ...extra,
      };
    };
    const strict: Scenario[] = [
      typeCase('wrongClass', [['new Guid("4d36e972-e325-11ce-bfc1-08002be10318")', 'new Guid("4d36e97d-e325-11ce-bfc1-08002be10318")']]),
      typeCase('noHardwareId', [
        [
          '        if (!SetupDiSetDeviceRegistryPropertyW(set, ref d, SPDRP_HARDWAREID, hw, hw.Length))\n          return "SetupDiSetDeviceRegistryProperty failed, Win32 error " + Marshal.GetLastWin32Error();\n',
          '',
        ],
      ]),
      typeCase('hardwareIdNotMultiSz', [['Encoding.Unicode.GetBytes(hardwareId + "\\0\\0")', 'Encoding.Unicode.GetBytes(hardwareId)']]),
      typeCase('otherDiFunction', [['const int DIF_REGISTERDEVICE = 0x19;', 'const int DIF_REGISTERDEVICE = 0x02;']]),
      typeCase('missingInf', [], { inf: join(windir, 'inf', 'missing.inf') }),
      typeCase('infWithoutTheHardwareId', [], { inf: otherInf }),
      { name: 'probe', kind: 'probe', state: state('probe'), code: file('probe.cs', PROBE_CS), inf },
    ];
    const productState = state('product');
    const product: Scenario[] = [{ name: 'product', kind: 'product', windir, loopback: real.loopback }];

    t0 = Date.now();
    // product: PRINTHA_WINSHIM_STATE in the environment pwsh starts with, as on a lab node
    await Promise.all([
      pwshRun('product', product, { PRINTHA_WINSHIM_STATE: productState }, installFn),
      pwshRun('strict', strict, {}, installFn),
    ]);
    t1 = Date.now();
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Files in <state>/devices (none when the stand-in never got as far as creating the directory). */
  const devices = (name: string) => {
    const dir = join(stateOf[name] ?? '/nonexistent', 'devices');
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };

  it('runs under pwsh 7.6 or later', () => {
    const [major, minor] = String(results.psVersion).split('.').map(Number);
    expect((major ?? 0) * 100 + (minor ?? 0), `pwsh ${String(results.psVersion)}`).toBeGreaterThanOrEqual(706);
  });

  it('builds the library under the names .NET probes for "setupapi.dll" and "newdev.dll"', () => {
    expect(readdirSync(lib).sort()).toEqual(['libnewdev.dll.so', 'libsetupapi.dll.so', 'newdev.dll.so', 'setupapi.dll.so']);
  });

  it('Install-PrintHALoopback (real prepare.ps1 code) installs the loopback: devices/<n>.json with exactly the contract', () => {
    expect(results.product).toEqual(['ok', 'ok']); // run twice: two adapters, as devcon install twice would make
    expect(devices('product')).toEqual(['0.json', '1.json']); // and no temporary file left behind
    for (const f of devices('product')) {
      const text = readFileSync(join(stateOf.product ?? '', 'devices', f), 'utf8');
      const rec = JSON.parse(text) as Record<string, string>;
      expect(Object.keys(rec)).toEqual(['hardwareId', 'description', 'classGuid', 'created']);
      expect(rec).toMatchObject({ hardwareId: '*MSLOOP', description: 'Microsoft KM-TEST Loopback Adapter', classGuid: NET_CLASS });
      expect(rec.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const at = Date.parse(rec.created ?? '');
      expect(at).toBeGreaterThanOrEqual(t0 - 1000);
      expect(at).toBeLessThanOrEqual(t1 + 1000);
    }
  });

  it.each([
    ['wrongClass', `SetupDiCreateDeviceInfo failed, Win32 error ${E.INVALID_CLASS}`],
    ['noHardwareId', `UpdateDriverForPlugAndPlayDevices failed, Win32 error ${E.NO_SUCH_DEVINST}`],
    ['hardwareIdNotMultiSz', `SetupDiSetDeviceRegistryProperty failed, Win32 error ${E.INVALID_DATA}`],
    ['otherDiFunction', `DIF_REGISTERDEVICE failed, Win32 error ${E.CALL_NOT_IMPLEMENTED}`],
    ['missingInf', `UpdateDriverForPlugAndPlayDevices failed, Win32 error ${E.FILE_NOT_FOUND}`],
    ['infWithoutTheHardwareId', `UpdateDriverForPlugAndPlayDevices failed, Win32 error ${E.NO_COMPAT_DRIVERS}`],
  ])('strict: %s -> the installer reports %s and no device is recorded', (name, message) => {
    expect(results[name]).toBe(message);
    expect(devices(name)).toEqual([]);
  });

  it('strict: handles, buffers, flags and HWNDs are checked as on Windows; success clears the last error', () => {
    const err = (code: number) => `error ${code}`;
    expect(results.probe).toEqual({
      destroyUnknownHandle: err(E.INVALID_HANDLE),
      destroyInvalidHandleValue: err(E.INVALID_HANDLE),
      listWithHwnd: err(E.INVALID_WINDOW_HANDLE),
      createWrongCbSize: err(E.INVALID_USER_BUFFER),
      cbSize: '32',
      createClassMismatch: err(E.CLASS_MISMATCH),
      createWithHwnd: err(E.INVALID_WINDOW_HANDLE),
      createBadFlags: err(E.INVALID_FLAGS),
      createBadName: err(win32(0xe0000205)),
      create: 'ok',
      lastErrorAfterSuccess: '0',
      classGuidFilled: NET_CLASS.slice(1, -1),
      setReadOnlyProperty: err(E.INVALID_REG_PROPERTY),
      setHardwareIdOddLength: err(E.INVALID_DATA),
      registerForeignElement: err(E.INVALID_PARAMETER),
      difZero: err(E.INVALID_PARAMETER),
      updateNoDevnode: err(E.NO_SUCH_DEVINST),
      updateBadFlags: err(E.INVALID_FLAGS),
      updateRelativeInf: err(E.INVALID_PARAMETER),
      destroy: 'ok',
      destroyTwice: err(E.INVALID_HANDLE),
      registerAfterDestroy: err(E.INVALID_HANDLE),
    });
    expect(devices('probe')).toEqual([]);
  });
});
