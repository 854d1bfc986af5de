/** Plan: per host, the ordered steps and diffs (engine), and every generated file (render). */
import { useEffect, useState } from 'react';
import type { HostPlan } from '../../../../shared/plan/model.js';
import type { Artifact } from '../../../../shared/render/artifact.js';
import { CodeView } from '../../components/CodeView.js';
import { ErrorBanner, NotAvailable, StepFrame } from '../../components/common.js';
import { ScopeChoice } from '../../components/ScopeChoice.js';
import { copyText, downloadText } from '../../lib/download.js';
import { useRun } from '../../stores/run.js';
import { sshKeyPathForCalls } from '../../stores/settings.js';

function HostPlanView({ h }: { h: HostPlan }) {
  return (
    <details className="host-plan" open={!h.upToDate}>
      <summary>
        <strong>{h.host}</strong> ({h.role}, {h.address}) — {h.upToDate ? 'up to date, nothing to change' : `${h.steps.length} step(s)`}
      </summary>
      {h.unreachable ? <p className="warn">Not reachable during planning: {h.unreachable}</p> : null}
      <ol>
        {h.steps.map((s) => (
          <li key={s.id}>
            {s.title} {s.changes ? null : <span className="muted">(check only)</span>}
            {s.command ? <code className="cmd">{s.command}</code> : null}
            {s.note ? <div className="muted">{s.note}</div> : null}
          </li>
        ))}
      </ol>
      {h.changes.map((c) => (
        <p key={c.name}>
          <strong>{c.name}</strong>: <code>{JSON.stringify(c.before)}</code> → <code>{JSON.stringify(c.after)}</code>
        </p>
      ))}
      {h.diffs.map((d) => (d.unified ? <CodeView key={d.path} text={d.unified} language="diff" label={`Changes to ${d.path}`} /> : null))}
      {h.notes.map((n) => (
        <p key={n} className="note">
          {n}
        </p>
      ))}
    </details>
  );
}

function FileList({ artifacts }: { artifacts: Artifact[] }) {
  const [selected, setSelected] = useState(0);
  const [copied, setCopied] = useState<string | undefined>();
  const a = artifacts[Math.min(selected, artifacts.length - 1)];
  return (
    <div className="files">
      <ul className="file-list" aria-label="Generated files" data-testid="generated-files">
        {artifacts.map((x, i) => (
          <li key={x.path}>
            <button type="button" aria-pressed={i === selected} className={i === selected ? 'selected' : ''} onClick={() => setSelected(i)}>
              <span className="path">{x.path}</span>
              <span className="muted">{x.description}</span>
            </button>
          </li>
        ))}
      </ul>
      {a ? (
        <div className="file-view">
          <div className="actions">
            <strong>{a.path}</strong> <span className="muted">for {a.target}</span>
            <button
              type="button"
              onClick={async () => setCopied((await copyText(a.content)) ? `Copied ${a.path}` : 'Copy failed: select the text and copy it')}
            >
              Copy
            </button>
            <button type="button" onClick={() => downloadText(a.path.split('/').pop() ?? 'file.txt', a.content)}>
              Save…
            </button>
            <span role="status" className="muted">
              {copied}
            </span>
          </div>
          <CodeView text={a.content} language={a.language} label={a.path} />
        </div>
      ) : null}
    </div>
  );
}

export function PlanStep() {
  const { status, plan, artifacts, busy, errors, makePlan, render, loadStatus } = useRun();
  useEffect(() => {
    if (!status) void loadStatus();
    if (!artifacts && !busy.render) void render();
  }, [status, artifacts, busy.render, loadStatus, render]);
  return (
    <StepFrame title="Plan" intro={<p>A dry run: what will change on every host. Nothing changes before you confirm on the next step.</p>}>
      <ScopeChoice />
      <h2>Per host</h2>
      {!status ? (
        <p role="status">Checking what this build can do…</p>
      ) : status.plan.available ? (
        <>
          <button type="button" className="primary" disabled={Boolean(busy.plan)} onClick={() => makePlan(sshKeyPathForCalls())}>
            {busy.plan ? 'Planning…' : plan ? 'Plan again' : 'Make the plan'}
          </button>
          <ErrorBanner error={errors.plan} />
          {plan ? (
            <>
              <p>Order: {plan.order.join(' → ')}</p>
              {plan.notes.length ? (
                <ul className="plan-notes" data-testid="plan-notes">
                  {plan.notes.map((n) => (
                    <li key={n} className={n.startsWith('ERROR') ? 'bad' : 'note'}>
                      {n}
                    </li>
                  ))}
                </ul>
              ) : null}
              {plan.hosts.map((h) => (
                <HostPlanView key={h.host} h={h} />
              ))}
            </>
          ) : null}
        </>
      ) : (
        <NotAvailable what="Planning against the hosts" {...(status.plan.reason ? { reason: status.plan.reason } : {})} />
      )}
      <h2>Generated files</h2>
      <ErrorBanner error={errors.render} />
      {artifacts ? <FileList artifacts={artifacts} /> : busy.render ? <p role="status">Generating…</p> : null}
    </StepFrame>
  );
}
