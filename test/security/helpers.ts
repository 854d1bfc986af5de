/** Shared by the hostile-input replays: real parsers (PyYAML) and the 2 s answer bound. */
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
export const hasAnsibleInventory = spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' }).status === 0;

/** Every hostile case must be answered within this bound (issue 16, "Done when"). */
export const ANSWER_MS = 2000;

/** yaml.safe_load (PyYAML, a YAML 1.1 reader like Ansible's) of each text, as JSON values. */
export function pyYamlLoadAll(texts: readonly string[]): unknown[] {
  const script = [
    'import sys, json, yaml',
    'docs = json.loads(sys.stdin.read())',
    'out = []',
    'for d in docs:',
    '    try:',
    '        out.append({"ok": yaml.safe_load(d)})',
    '    except Exception as e:',
    '        out.append({"error": str(e).splitlines()[0]})',
    'sys.stdout.write(json.dumps(out, ensure_ascii=True))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return (JSON.parse(out) as ({ ok: unknown } | { error: string })[]).map((r) => {
    if ('error' in r) throw new Error(`PyYAML: ${r.error}`);
    return r.ok;
  });
}

/** Runs fn and checks it answered within ANSWER_MS. */
export async function answersQuickly<T>(fn: () => T | Promise<T>, bound = ANSWER_MS): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  expect(performance.now() - t0, 'answered within the bound').toBeLessThan(bound);
  return r;
}
