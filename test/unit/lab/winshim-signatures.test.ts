/**
 * The Windows stand-in's cmdlets bind exactly as Microsoft documents them: every parameter set,
 * parameter, Mandatory and positional flag and type from the in-repo copies of the syntax
 * (test/lab/winshim/signatures/*.md), as pwsh reports them after Import-Module. Also: the
 * generated skeletons are current, and the copies equal ../shared/reference when it exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPwsh } from './winshim-pwsh.js';
import { REFERENCE, RSAT_MODULES, SIGNATURES, generatedFiles, loadDocs, type CmdletDoc } from './winshim-signatures.js';

interface PwshParam {
  name: string;
  mandatory: boolean;
  position: number;
  type: string;
}
interface PwshCmd {
  name: string;
  module: string;
  shouldProcess: boolean;
  sets: { name: string; isDefault: boolean; params: PwshParam[] }[];
}

const docs = loadDocs();

/** The doc's view in the shape pwsh reports (position: documented number, or -1 for "positional"). */
function expected(d: CmdletDoc) {
  return d.sets
    .map((s) => ({
      name: s.name,
      params: s.params
        .map((p) => {
          const pd = d.params.get(p.name.toLowerCase());
          const type = (pd?.type ?? p.type ?? 'SwitchParameter').replace(/^(System\.)?Nullable.*$/, 'Nullable`1').replace(/^.*\./, '');
          return { name: p.name, mandatory: p.mandatory, positional: p.positional, type: type.toLowerCase() };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function actual(c: PwshCmd) {
  return c.sets
    .map((s) => ({
      name: s.name,
      params: s.params
        .map((p) => ({ name: p.name, mandatory: p.mandatory, positional: p.position >= 0, type: p.type.toLowerCase() }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('Windows stand-in signatures', () => {
  let got: { node: PwshCmd[]; rsat: PwshCmd[] };
  beforeAll(() => {
    got = JSON.parse(runPwsh(join(import.meta.dirname, 'winshim-sets.ps1'), [])) as typeof got;
  }, 180_000);

  it('the generated skeletons are current (npx tsx test/unit/lab/winshim-signatures.ts)', () => {
    for (const [path, content] of generatedFiles(docs)) expect(readFileSync(path, 'utf8'), path).toBe(content);
  });

  it.runIf(existsSync(REFERENCE))('the in-repo syntax copies equal ../shared/reference', () => {
    for (const d of docs) {
      expect(readFileSync(join(SIGNATURES, `${d.name}.md`), 'utf8'), d.name).toBe(readFileSync(join(REFERENCE, `${d.name}.md`), 'utf8'));
    }
  });

  it('the node module shims every documented cmdlet, nothing else', () => {
    expect(got.node.map((c) => c.name).sort()).toEqual(docs.map((d) => d.name).sort());
  });

  for (const d of docs) {
    it(`${d.name}: parameter sets, parameters, Mandatory, Position, types as documented`, () => {
      const inNode = got.node.find((c) => c.name === d.name);
      const targets = [inNode, ...got.rsat.filter((c) => c.name === d.name)];
      for (const c of targets) {
        expect(c, d.name).toBeDefined();
        const cmd = c as PwshCmd;
        expect(actual(cmd), `${cmd.module}\\${d.name}`).toEqual(expected(d));
        const def = d.sets.find((s) => s.isDefault)?.name;
        if (def && d.sets.length > 1) expect(cmd.sets.find((s) => s.isDefault)?.name).toBe(def);
        expect(cmd.shouldProcess, '-WhatIf/-Confirm where documented').toBe(d.shouldProcess);
      }
    });
  }

  it('documented positions are the bound positions', () => {
    for (const d of docs) {
      const c = got.node.find((x) => x.name === d.name) as PwshCmd;
      for (const p of d.params.values()) {
        if (p.position === undefined) continue;
        for (const s of c.sets) {
          const a = s.params.find((x) => x.name === p.name);
          if (a && a.position >= 0) expect(a.position, `${d.name} -${p.name} (${s.name})`).toBe(p.position);
        }
      }
    }
  });

  it('the RSAT stand-in autoloads as the Windows modules DnsServer and DnsClient', () => {
    const want = Object.entries(RSAT_MODULES).flatMap(([m, names]) => names.map((n) => `${m}\\${n}`));
    expect(got.rsat.map((c) => `${c.module}\\${c.name}`).sort()).toEqual(want.sort());
  });
});
