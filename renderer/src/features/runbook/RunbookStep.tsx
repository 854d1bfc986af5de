/** Runbook: everything above as Markdown or HTML (secrets redacted). */
import { useState } from 'react';
import type { ContractError } from '../../../../shared/contract/index.js';
import { call, errorShape } from '../../api/client.js';
import { ErrorBanner, StepFrame } from '../../components/common.js';
import { downloadText } from '../../lib/download.js';
import { SCOPES } from '../../../../shared/contract/scope.js';
import { scopeInput, useRun } from '../../stores/run.js';
import { useWizard } from '../../stores/wizard.js';
import { useSite } from '../../stores/site.js';

export function RunbookStep() {
  const draft = useSite((s) => s.draft);
  const { plan, journal, report } = useRun();
  const scope = useWizard((s) => s.scope);
  const [error, setError] = useState<ContractError | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const exportAs = async (format: 'md' | 'html') => {
    setError(undefined);
    try {
      const r = await call('runbook.export', {
        site: draft ?? {},
        format,
        ...(plan ? { plan } : {}),
        ...(journal.length ? { journal } : {}),
        ...(report ? { report } : {}),
        ...scopeInput(),
      });
      downloadText(r.filename, r.text, r.mime);
      setDone(`Saved ${r.filename}.`);
    } catch (e) {
      setError(errorShape(e) as ContractError);
    }
  };
  return (
    <StepFrame
      title="Runbook"
      intro={
        <p>
          The site, the preflight findings, the plan, every executed step with its output, and the verification — for change control and the
          customer.
        </p>
      }
    >
      <ul>
        <li data-testid="runbook-scope">Scope: {SCOPES.find((x) => x.id === scope)?.title}</li>
        <li>Plan: {plan ? 'included' : 'not made yet (the generated files and manual steps are included)'}</li>
        <li>Executed steps: {journal.length ? `${journal.filter((e) => e.kind === 'step-end').length} included` : 'none yet'}</li>
        <li>Verification: {report ? 'included' : 'not run yet'}</li>
      </ul>
      <div className="actions">
        <button type="button" className="primary" onClick={() => exportAs('md')}>
          Export Markdown
        </button>
        <button type="button" onClick={() => exportAs('html')}>
          Export HTML
        </button>
        <span role="status">{done}</span>
      </div>
      <ErrorBanner error={error} />
    </StepFrame>
  );
}
