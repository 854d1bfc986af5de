/** Apply: per host, per step — progress, the command, the output, elapsed time; cancel; resume. */
import { useEffect, useMemo, useState } from 'react';
import type { JournalEvent } from '../../../../shared/journal/events.js';
import { ErrorBanner, NotAvailable, StepFrame } from '../../components/common.js';
import { ScopeChoice } from '../../components/ScopeChoice.js';
import { useRun } from '../../stores/run.js';
import { sshKeyPathForCalls } from '../../stores/settings.js';

interface StepView {
  key: string;
  title: string;
  command?: string;
  output: string;
  result?: string;
  startedAt: number;
  durationMs?: number;
  message?: string;
}

/** Folds the journal into hosts -> steps. */
export function foldJournal(events: readonly JournalEvent[]): { host: string; steps: StepView[] }[] {
  const hosts = new Map<string, Map<string, StepView>>();
  for (const e of events) {
    if (!e.host || !e.step) continue;
    let steps = hosts.get(e.host);
    if (!steps) hosts.set(e.host, (steps = new Map()));
    let s = steps.get(e.step);
    if (!s) steps.set(e.step, (s = { key: e.step, title: e.title ?? e.step, output: '', startedAt: Date.parse(e.t) || Date.now() }));
    if (e.title) s.title = e.title;
    if (e.command) s.command = e.command;
    if (e.output) s.output += e.output.endsWith('\n') ? e.output : `${e.output}\n`;
    if (e.kind === 'step-end') {
      if (e.result) s.result = e.result;
      if (e.durationMs !== undefined) s.durationMs = e.durationMs;
      if (e.message) s.message = e.message;
    }
  }
  return [...hosts].map(([host, steps]) => ({ host, steps: [...steps.values()] }));
}

function Elapsed({ since, done }: { since: number; done?: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (done !== undefined) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [done]);
  const ms = done ?? Math.max(0, now - since);
  return <span className="elapsed">{(ms / 1000).toFixed(1)} s</span>;
}

export function ApplyStep() {
  const { status, journal, applyResult, busy, errors, apply, cancel, loadStatus } = useRun();
  const [confirmed, setConfirmed] = useState(false);
  useEffect(() => {
    if (!status) void loadStatus();
  }, [status, loadStatus]);
  const hosts = useMemo(() => foldJournal(journal), [journal]);
  if (!status)
    return (
      <StepFrame title="Apply">
        <p role="status">Checking what this build can do…</p>
      </StepFrame>
    );
  if (!status.apply.available)
    return (
      <StepFrame title="Apply">
        <NotAvailable what="Apply" {...(status.apply.reason ? { reason: status.apply.reason } : {})} />
      </StepFrame>
    );
  const running = Boolean(busy.apply);
  const canResume = !running && (Boolean(errors.apply) || applyResult?.ok === false) && journal.length > 0;
  return (
    <StepFrame title="Apply" intro={<p>Backup before change, validate before reload, roll back on failure. Every step is idempotent.</p>}>
      <ScopeChoice />
      <div className="check">
        <input id="confirm-plan" type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} disabled={running} />
        <label htmlFor="confirm-plan">I reviewed the plan and want PrintHA to change the hosts.</label>
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!confirmed || running}
          onClick={() => apply({ sshKeyPath: sshKeyPathForCalls() })}
        >
          {running ? 'Applying…' : 'Apply'}
        </button>
        {running ? (
          <button type="button" onClick={() => cancel('apply')}>
            Cancel
          </button>
        ) : null}
        {canResume ? (
          <button type="button" onClick={() => apply({ resume: true, sshKeyPath: sshKeyPathForCalls() })} disabled={!confirmed}>
            Resume
          </button>
        ) : null}
      </div>
      <ErrorBanner error={errors.apply} />
      {applyResult ? (
        <div className={`summary ${applyResult.ok ? 'good' : 'bad'}`} role="status" data-testid="apply-result">
          {applyResult.ok
            ? applyResult.changed
              ? 'Applied.'
              : 'Nothing to change: every host was already up to date.'
            : 'Apply did not complete.'}
          <ul>
            {applyResult.hostStates.map((h) => (
              <li key={h.host} className={h.ok ? 'ok' : 'bad'}>
                <strong>{h.host}</strong>: {h.state}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {hosts.map((h) => (
        <section key={h.host} className="host-run" aria-label={`Host ${h.host}`}>
          <h2>{h.host}</h2>
          <ol>
            {h.steps.map((s) => (
              <li key={s.key} className={`run-step ${s.result ?? 'running'}`}>
                <div className="run-head">
                  <span className="badge">{s.result ?? 'running'}</span> {s.title}{' '}
                  <Elapsed since={s.startedAt} {...(s.durationMs !== undefined ? { done: s.durationMs } : s.result ? { done: 0 } : {})} />
                </div>
                {s.command ? <code className="cmd">{s.command}</code> : null}
                {s.output ? <pre className="output">{s.output}</pre> : null}
                {s.message ? <p>{s.message}</p> : null}
              </li>
            ))}
          </ol>
        </section>
      ))}
    </StepFrame>
  );
}
