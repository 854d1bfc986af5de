/** Preflight: every rule, through the contract (exactly what `printha validate` says), grouped by severity. */
import { useEffect, useState } from 'react';
import type { ContractError } from '../../../../shared/contract/index.js';
import type { Finding } from '../../../../shared/rules/finding.js';
import { call, errorShape } from '../../api/client.js';
import { ErrorBanner, StepFrame } from '../../components/common.js';
import { useRun } from '../../stores/run.js';
import { useSite } from '../../stores/site.js';
import { useWizard } from '../../stores/wizard.js';
import { STEPS, stepForPath, stepIndex } from '../../steps.js';

const GROUPS = [
  { severity: 'error', title: 'Errors', note: 'Must be fixed before anything is changed.' },
  { severity: 'warning', title: 'Warnings', note: 'Allowed, but read them.' },
  { severity: 'info', title: 'Information', note: '' },
] as const;

export function FindingList({ findings }: { findings: Finding[] }) {
  const go = useWizard((s) => s.go);
  return (
    <>
      {GROUPS.map((g) => {
        const items = findings.filter((f) => f.severity === g.severity);
        if (!items.length) return null;
        return (
          <section key={g.severity} className={`findings ${g.severity}`} aria-label={g.title}>
            <h2>
              {g.title} ({items.length}) <span className="muted">{g.note}</span>
            </h2>
            <ul>
              {items.map((f, i) => {
                const step = stepForPath(f.path);
                return (
                  <li key={`${f.rule}-${f.path}-${i}`} data-testid="finding">
                    <span className={`badge ${f.severity}`}>{f.severity}</span> <code>{f.rule}</code> {f.message}
                    <div className="fix">Fix: {f.fix}</div>
                    {f.path && step !== 'preflight' ? (
                      <button type="button" className="link" onClick={() => go(step, f.path)}>
                        Go to {f.path} ({STEPS[stepIndex(step)]?.title})
                      </button>
                    ) : f.path ? (
                      <span className="muted">Field: {f.path}</span>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </>
  );
}

export function PreflightStep() {
  const draft = useSite((s) => s.draft);
  const facts = useRun((s) => s.facts);
  const [result, setResult] = useState<{ ok: boolean; findings: Finding[] } | undefined>();
  const [error, setError] = useState<ContractError | undefined>();

  useEffect(() => {
    let live = true;
    call('site.validate', { site: draft ?? {}, ...(facts ? { facts } : {}) }).then(
      (r) => live && (setResult(r), setError(undefined)),
      (e) => live && setError(errorShape(e) as ContractError),
    );
    return () => {
      live = false;
    };
  }, [draft, facts]);

  const errors = result?.findings.filter((f) => f.severity === 'error').length ?? 0;
  return (
    <StepFrame
      title="Preflight"
      intro={<p>Every rule from the deployment guide and the product requirements, checked before anything is touched.</p>}
    >
      <ErrorBanner error={error} />
      {!result ? (
        <p role="status">Checking…</p>
      ) : (
        <>
          <p role="status" className={errors ? 'summary bad' : 'summary good'} data-testid="preflight-summary">
            {errors
              ? `${errors} error(s) must be fixed before you continue.`
              : result.findings.length
                ? 'No errors: you can continue (read the warnings).'
                : 'No findings: the site passes every preflight rule.'}
          </p>
          <FindingList findings={result.findings} />
        </>
      )}
    </StepFrame>
  );
}
