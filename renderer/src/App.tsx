/** The wizard shell: header (site, save, theme), the step list, the current step, Back / Next. */
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import type { ContractError } from '../../shared/contract/index.js';
import { call, errorShape } from './api/client.js';
import { ErrorBanner } from './components/common.js';
import { Prompts } from './features/prompts/Prompts.js';
import { StartStep } from './features/start/StartStep.js';
import { downloadText } from './lib/download.js';
import { fieldId } from './lib/path.js';
import { loadValidator } from './lib/validate.js';
import { useSite } from './stores/site.js';
import { useWizard } from './stores/wizard.js';
import { STEPS, stepIndex, type StepId } from './steps.js';

// The Start step is in the first chunk; every other step loads on demand (fast first screen).
const VIEWS: Record<StepId, ComponentType> = {
  start: StartStep,
  product: lazy(() => import('./features/product/ProductStep.js').then((m) => ({ default: m.ProductStep }))),
  mode: lazy(() => import('./features/mode/ModeStep.js').then((m) => ({ default: m.ModeStep }))),
  network: lazy(() => import('./features/network/NetworkStep.js').then((m) => ({ default: m.NetworkStep }))),
  balancer: lazy(() => import('./features/balancer/BalancerStep.js').then((m) => ({ default: m.BalancerStep }))),
  servers: lazy(() => import('./features/servers/ServersStep.js').then((m) => ({ default: m.ServersStep }))),
  preflight: lazy(() => import('./features/preflight/PreflightStep.js').then((m) => ({ default: m.PreflightStep }))),
  discover: lazy(() => import('./features/discover/DiscoverStep.js').then((m) => ({ default: m.DiscoverStep }))),
  plan: lazy(() => import('./features/plan/PlanStep.js').then((m) => ({ default: m.PlanStep }))),
  apply: lazy(() => import('./features/apply/ApplyStep.js').then((m) => ({ default: m.ApplyStep }))),
  verify: lazy(() => import('./features/verify/VerifyStep.js').then((m) => ({ default: m.VerifyStep }))),
  runbook: lazy(() => import('./features/runbook/RunbookStep.js').then((m) => ({ default: m.RunbookStep }))),
};

function focusField(path: string): void {
  requestAnimationFrame(() => {
    const el = document.getElementById(fieldId(path));
    if (el) {
      el.focus();
      el.scrollIntoView?.({ block: 'center' });
    }
  });
}

function systemTheme(): 'light' | 'dark' {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const { step, go, next, back } = useWizard();
  const draft = useSite((s) => s.draft);
  const remember = useSite((s) => s.remember);
  const [theme, setTheme] = useState<'light' | 'dark'>(systemTheme);
  const [saveError, setSaveError] = useState<ContractError | undefined>();
  const [blocked, setBlocked] = useState<string | undefined>();
  const View = VIEWS[step];
  const i = stepIndex(step);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  // After the first screen: fetch the rules (validation as you type).
  useEffect(() => {
    void loadValidator();
  }, []);
  useEffect(() => setBlocked(undefined), [step]);
  // Without a site only the Start step makes sense.
  useEffect(() => {
    if (!draft && step !== 'start') go('start');
  }, [draft, step, go]);

  const save = async () => {
    setSaveError(undefined);
    try {
      const r = await call('site.save', { site: draft ?? {} });
      downloadText(r.filename, r.text, 'text/yaml');
      remember();
    } catch (e) {
      setSaveError(errorShape(e) as ContractError);
    }
  };

  const onNext = () => {
    const r = next();
    if (r.ok) setBlocked(undefined);
    else if (r.why === 'checking') setBlocked('Still loading the checks; try again in a moment.');
    else {
      setBlocked('Fix the highlighted fields to continue.');
      focusField(r.field);
    }
  };

  const siteName = typeof draft?.name === 'string' && draft.name ? draft.name : draft ? 'Unnamed site' : '';
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to the step
      </a>
      <header className="top">
        <span className="brand">PrintHA</span>
        <span className="site-name" data-testid="site-name">
          {siteName}
        </span>
        <span className="spacer" />
        {draft ? (
          <button type="button" onClick={save}>
            Save site…
          </button>
        ) : null}
        <button
          type="button"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </header>
      <nav className="steps" aria-label="Wizard steps">
        <ol>
          {STEPS.map((s, n) => (
            <li key={s.id}>
              <button
                type="button"
                aria-current={s.id === step ? 'step' : undefined}
                disabled={!draft && s.id !== 'start'}
                onClick={() => go(s.id)}
                data-testid={`nav-${s.id}`}
              >
                <span className="num">{n + 1}</span> {s.title}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <main id="main" className="content">
        <ErrorBanner error={saveError} />
        <Suspense fallback={<p role="status">Loading…</p>}>
          <View />
        </Suspense>
      </main>
      {step !== 'start' ? (
        <footer className="wizard-nav">
          <button type="button" onClick={back}>
            Back
          </button>
          <span className="blocked" role="status" data-testid="blocked">
            {blocked}
          </span>
          {i < STEPS.length - 1 ? (
            <button type="button" className="primary" onClick={onNext} data-testid="next">
              Next: {STEPS[i + 1]!.title}
            </button>
          ) : null}
        </footer>
      ) : null}
      <Prompts />
    </div>
  );
}
