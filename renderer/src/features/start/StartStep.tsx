/** Start: a new site, a site file, a recent site, or the guide's examples (one click). */
import { useEffect, useRef, useState } from 'react';
import type { ChannelOutput, ContractError } from '../../../../shared/contract/index.js';
import { call, errorShape } from '../../api/client.js';
import { ErrorBanner, StepFrame } from '../../components/common.js';
import { newDraft, useSite, type Draft } from '../../stores/site.js';
import { useWizard } from '../../stores/wizard.js';

type Example = ChannelOutput<'site.examples'>['examples'][number];

export function StartStep() {
  const replace = useSite((s) => s.replace);
  const remember = useSite((s) => s.remember);
  const recent = useSite((s) => s.recent);
  const current = useSite((s) => s.draft);
  const go = useWizard((s) => s.go);
  const [examples, setExamples] = useState<Example[] | undefined>();
  const [error, setError] = useState<ContractError | undefined>();
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    performance.mark('printha:first-step');
    document.documentElement.dataset.ready = 'true';
    call('site.examples', {}).then(
      (r) => setExamples(r.examples),
      () => setExamples([]),
    );
  }, []);

  const open = (draft: Draft, to: 'product' | 'preflight' = 'product') => {
    replace(draft);
    // Another site starts with the full scope (balancer and print servers); the engine steps show it.
    useWizard.getState().setScope('all');
    remember();
    go(to);
  };

  const load = async (text: string) => {
    setError(undefined);
    try {
      const r = await call('site.load', { text });
      if (!r.site) {
        setError({ code: 'invalid-site', message: r.findings[0]?.message ?? 'The file is not a site file.' });
        return;
      }
      open(r.site, r.ok ? 'preflight' : 'product');
    } catch (e) {
      setError(errorShape(e) as ContractError);
    }
  };

  return (
    <StepFrame title="Start" intro={<p>Describe a site once; PrintHA checks it, plans every change, applies it and proves it works.</p>}>
      <div className="cards">
        <div className="card">
          <h2>New site</h2>
          <p>Type in the site step by step.</p>
          <button type="button" className="primary" onClick={() => open(newDraft())}>
            New site
          </button>
        </div>
        <div className="card">
          <h2>Open a site file</h2>
          <p>A PrintHA site file (YAML).</p>
          <label className="button" htmlFor="open-file">
            Open site file…
          </label>
          <input
            id="open-file"
            ref={fileRef}
            className="sr-only"
            type="file"
            accept=".yaml,.yml,text/yaml"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) await load(await f.text());
              if (fileRef.current) fileRef.current.value = '';
            }}
          />
        </div>
        {current ? (
          <div className="card">
            <h2>Continue</h2>
            <p>{typeof current.name === 'string' && current.name ? current.name : 'The site you were working on'}</p>
            <button type="button" onClick={() => go('product')}>
              Continue this site
            </button>
          </div>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      <h2>Examples</h2>
      {examples === undefined ? (
        <p role="status">Loading examples…</p>
      ) : examples.length === 0 ? (
        <p>No example files were found in this build.</p>
      ) : (
        <ul className="list">
          {examples.map((x) => (
            <li key={x.id}>
              <button type="button" className="link" onClick={() => load(x.text)} data-testid={`example-${x.id}`}>
                {x.id === 'phoenix-dr' ? 'The guide’s DR example: ' : ''}
                {x.title}
              </button>
            </li>
          ))}
        </ul>
      )}
      {recent.length ? (
        <>
          <h2>Recent sites</h2>
          <ul className="list">
            {recent.map((r) => (
              <li key={r.name}>
                <button type="button" className="link" onClick={() => open(r.site)}>
                  {r.name}
                </button>{' '}
                <span className="muted">{new Date(r.savedAt).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </StepFrame>
  );
}
