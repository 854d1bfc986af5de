/**
 * JSON from outside — a result file of the offline pack, a script's answer from a server — is bounded
 * right after parsing: a value nested 100 000 levels deep used to pass JSON.parse and then crash the
 * import (or the journal write) with "RangeError: Maximum call stack size exceeded".
 */
import { describe, expect, it } from 'vitest';
import { jsonBeyondLimits } from '../../shared/limits/json.js';
import { resolveSite } from '../../shared/model/resolve.js';
import { ResultFileError, parseResultFile } from '../../shared/pack/results.js';
import { parseVerifyReport } from '../../shared/render/powershell/result.js';
import { verifyJson } from '../unit/pack/results-fixtures.js';
import { example } from '../unit/runbook/fixtures.js';

const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('bounded JSON from outside', () => {
  it('the walk itself never recurses and names the limit', () => {
    expect(jsonBeyondLimits(JSON.parse(deep(200_000)))).toBe('is nested deeper than 32 levels');
    expect(jsonBeyondLimits(new Array(300_000).fill(0))).toBe('has more than 200000 values');
    expect(jsonBeyondLimits(verifyJson('PS1', '10.99.0.21', ['A']))).toBeUndefined();
  });

  it('a hostile result file is refused with a one-line message naming the file, not a RangeError', () => {
    const r = resolveSite(example('lab-snat'));
    const good = verifyJson('PS1', '10.99.0.21', ['A']) as { checks: { actual: unknown }[] };
    const text = JSON.stringify(good).replace('"actual":1', `"actual":${deep(150_000)}`);
    expect(text.length).toBeGreaterThan(300_000);
    let err: unknown;
    try {
      parseResultFile(r, 'PS1-verify.json', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResultFileError);
    expect((err as Error).message).toMatch(/PS1-verify\.json.*nested deeper than 32 levels/);
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it("a server's answer nested too deep is a clear error, not a crash", () => {
    const line = JSON.stringify(verifyJson('PS1', '10.99.0.21', ['A'])).replace('"actual":1', `"actual":${deep(150_000)}`);
    expect(() => parseVerifyReport(`noise\n${line}\n`)).toThrow(/verify\.ps1 printed a JSON object that is nested deeper than 32 levels/);
  });
});
