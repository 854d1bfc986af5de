/**
 * Data-plane tuning of the generated haproxy.cfg, measured by bench/dataplane.ts (docs/PERFORMANCE.md):
 * forced splicing in both directions, not splice-auto (which rarely engages on one stream).
 */
import { describe, expect, it } from 'vitest';
import { renderHaproxyCfg } from '../../../shared/render/haproxy.js';
import { resolveExample, section } from './lb-helpers.js';

describe('renderHaproxyCfg: data-plane tuning', () => {
  for (const example of ['phoenix-snat.yaml', 'lab-snat.yaml']) {
    it(`${example}: defaults splice requests and responses, and nothing re-enables the auto heuristic`, () => {
      const cfg = renderHaproxyCfg(resolveExample(example));
      const d = section(cfg, 'defaults');
      expect(d).toContain('option splice-request');
      expect(d).toContain('option splice-response');
      expect(cfg).not.toMatch(/^\s*option splice-auto/m);
      expect(cfg).not.toMatch(/^\s*no option splice-(request|response)/m);
    });
  }
});
