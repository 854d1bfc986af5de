/**
 * The site being described (as entered: may be incomplete) and its findings, validated as you type
 * with the same rules as `printha validate` (shared/rules is pure and runs here). The draft — and
 * only the draft, never a secret — is kept in localStorage so it survives a reload.
 */
import { create } from 'zustand';
import type { Finding } from '../../../shared/rules/finding.js';
import { getIn, setIn } from '../lib/path.js';
import { currentValidator, onValidatorLoaded } from '../lib/validate.js';

export type Draft = Record<string, unknown>;

export const DRAFT_KEY = 'printha.site.v1';
export const RECENT_KEY = 'printha.recent.v1';
const MAX_RECENT = 5;

export interface RecentSite {
  name: string;
  savedAt: string;
  site: Draft;
}

export function newDraft(): Draft {
  return {
    version: 1,
    name: '',
    profile: 'dispatcher-phoenix',
    mode: 'dr',
    network: { prefixLength: 24 },
    balancer: { platform: 'loadbalancer-org', primary: { port: 22, user: 'root' } },
    servers: [{ label: 'PS1' }, { label: 'PS2' }],
    windows: { transport: 'winrm' },
  };
}

/** Findings for the draft; empty until the rules chunk has loaded (then the store re-validates). */
export function validateDraft(draft: Draft): Finding[] {
  return currentValidator()?.(draft) ?? [];
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

function readJson<T>(key: string): T | undefined {
  try {
    const t = storage()?.getItem(key);
    return t ? (JSON.parse(t) as T) : undefined;
  } catch {
    return undefined;
  }
}

function writeJson(key: string, v: unknown): void {
  try {
    storage()?.setItem(key, JSON.stringify(v));
  } catch {
    /* storage full or disabled: the site still lives in memory */
  }
}

interface SiteState {
  /** undefined until a site is started, opened or restored. */
  draft: Draft | undefined;
  findings: Finding[];
  /** False until the rules have loaded: Next waits for them. */
  validated: boolean;
  touched: Record<string, true>;
  recent: RecentSite[];
  setField(path: string, value: unknown): void;
  touch(path: string): void;
  /** Replaces the whole site (new, opened file, example, recent). */
  replace(draft: Draft): void;
  addServer(): void;
  removeServer(index: number): void;
  /** Records the site in the recent list (on save / open). */
  remember(): void;
  clear(): void;
}

const restored = readJson<Draft>(DRAFT_KEY);

export const useSite = create<SiteState>((set, get) => ({
  draft: restored,
  findings: restored ? validateDraft(restored) : [],
  validated: currentValidator() !== undefined,
  touched: {},
  recent: readJson<RecentSite[]>(RECENT_KEY) ?? [],
  setField(path, value) {
    const draft = setIn(get().draft ?? newDraft(), path, value);
    set({ draft, findings: validateDraft(draft), touched: { ...get().touched, [path]: true } });
  },
  touch(path) {
    if (!get().touched[path]) set({ touched: { ...get().touched, [path]: true } });
  },
  replace(draft) {
    set({ draft, findings: validateDraft(draft), touched: {} });
  },
  addServer() {
    const d = get().draft ?? newDraft();
    const servers = Array.isArray(d.servers) ? [...(d.servers as unknown[])] : [];
    servers.push({ label: `PS${servers.length + 1}` });
    const draft = { ...d, servers };
    set({ draft, findings: validateDraft(draft) });
  },
  removeServer(index) {
    const d = get().draft ?? newDraft();
    const servers = (Array.isArray(d.servers) ? (d.servers as unknown[]) : []).filter((_, i) => i !== index);
    const draft = { ...d, servers };
    // Touched marks of rows are by index: forget the table's marks.
    const touched = Object.fromEntries(Object.entries(get().touched).filter(([k]) => !k.startsWith('servers['))) as Record<string, true>;
    set({ draft, findings: validateDraft(draft), touched });
  },
  remember() {
    const d = get().draft;
    if (!d) return;
    const name = typeof d.name === 'string' && d.name ? d.name : 'Unnamed site';
    const recent = [{ name, savedAt: new Date().toISOString(), site: d }, ...get().recent.filter((r) => r.name !== name)].slice(
      0,
      MAX_RECENT,
    );
    writeJson(RECENT_KEY, recent);
    set({ recent });
  },
  clear() {
    storage()?.removeItem(DRAFT_KEY);
    set({ draft: undefined, findings: [], touched: {} });
  },
}));

useSite.subscribe((s, prev) => {
  if (s.draft !== prev.draft && s.draft) writeJson(DRAFT_KEY, s.draft);
});

onValidatorLoaded((v) => useSite.setState((s) => ({ validated: true, findings: s.draft ? v(s.draft) : [] })));

/** Error and warning findings for this field path: at it, or naming it among the fields they are also about. */
export function fieldErrors(findings: readonly Finding[], path: string): Finding[] {
  return findings.filter((f) => (f.path === path || f.also?.includes(path)) && f.severity !== 'info');
}

export function draftValue(draft: Draft | undefined, path: string): unknown {
  return getIn(draft, path);
}
