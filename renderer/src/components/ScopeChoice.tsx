/**
 * The scope of the engine steps: balancer and print servers / balancer only / print servers only
 * (the CLI's `--only`). Shown on Discover, Plan, Apply and Verify; kept in the wizard store.
 */
import { SCOPES, scopeNote, type ScopeSite } from '../../../shared/contract/scope.js';
import { useRun } from '../stores/run.js';
import { useSite, type Draft } from '../stores/site.js';
import { useWizard } from '../stores/wizard.js';

const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v ? v : fallback);
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The hosts a draft names, for the "left out" sentence (an incomplete draft shows "?" for what is missing). */
export function scopeSiteOf(draft: Draft | undefined): ScopeSite {
  const d = rec(draft);
  const b = rec(d.balancer);
  const secondary = b.secondary === undefined ? undefined : { address: str(rec(b.secondary).address, '?') };
  return {
    ...(typeof d.shareName === 'string' && d.shareName ? { shareName: d.shareName } : {}),
    ...(typeof d.vip === 'string' && d.vip ? { vip: d.vip } : {}),
    servers: (Array.isArray(d.servers) ? d.servers : []).map((s, i) => ({
      label: str(rec(s).label, `server ${i + 1}`),
      address: str(rec(s).address, '?'),
    })),
    balancer: {
      platform: str(b.platform, 'balancer'),
      primary: { address: str(rec(b.primary).address, '?') },
      ...(secondary ? { secondary } : {}),
    },
  };
}

export function ScopeChoice() {
  const scope = useWizard((s) => s.scope);
  const setScope = useWizard((s) => s.setScope);
  const draft = useSite((s) => s.draft);
  const running = useRun((s) => Object.values(s.busy).some(Boolean));
  const current = SCOPES.find((x) => x.id === scope) ?? SCOPES[0]!;
  return (
    <fieldset className="scope" data-testid="scope-choice">
      <legend>What PrintHA does on this site</legend>
      <div className="scope-options" role="presentation">
        {SCOPES.map((x) => (
          <span key={x.id} className="check">
            <input
              id={`scope-${x.id}`}
              type="radio"
              name="scope"
              value={x.id}
              checked={scope === x.id}
              disabled={running}
              onChange={() => setScope(x.id)}
              aria-describedby="scope-explain"
            />
            <label htmlFor={`scope-${x.id}`}>{x.title}</label>
          </span>
        ))}
      </div>
      <p id="scope-explain" className="muted" data-testid="scope-explain">
        {current.explain}
      </p>
      {scope !== 'all' ? (
        <p className="note" data-testid="scope-left-out">
          {scopeNote(scopeSiteOf(draft), scope)}
        </p>
      ) : null}
    </fieldset>
  );
}
