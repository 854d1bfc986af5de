/** Verify: the System Overview (as in the guide), drain/halt/online, the share listing, the checks, the drill. */
import { useEffect, useState } from 'react';
import { Confirm, ErrorBanner, NotAvailable, StepFrame } from '../../components/common.js';
import { ScopeChoice } from '../../components/ScopeChoice.js';
import { useRun } from '../../stores/run.js';
import { sshKeyPathForCalls } from '../../stores/settings.js';

type Action = 'drain' | 'halt' | 'online';
const ACTION_TEXT: Record<Action, string> = {
  drain: 'Drain: finish current connections, send no new ones to this server.',
  halt: 'Halt: take this server out of service now (its connections are dropped).',
  online: 'Online: put this server back into service.',
};

export function VerifyStep() {
  const { status, report, busy, errors, verify, serverState, lastAction, loadStatus } = useRun();
  const [pending, setPending] = useState<{ vip: string; server: string; action: Action } | undefined>();
  const [drillAsk, setDrillAsk] = useState(false);
  useEffect(() => {
    if (!status) void loadStatus();
  }, [status, loadStatus]);
  if (!status)
    return (
      <StepFrame title="Verify">
        <p role="status">Checking what this build can do…</p>
      </StepFrame>
    );
  if (!status.verify.available)
    return (
      <StepFrame title="Verify">
        <NotAvailable what="Verification" {...(status.verify.reason ? { reason: status.verify.reason } : {})} />
      </StepFrame>
    );
  const canAct = status.serverState.available;
  return (
    <StepFrame
      title="Verify"
      intro={
        <p>
          Through the VIP and the share name: every balanced port, the share listing, DNS, each server’s health as the balancer sees it.
        </p>
      }
    >
      <ScopeChoice />
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={Boolean(busy.verify)}
          onClick={() => verify({ sshKeyPath: sshKeyPathForCalls() })}
        >
          {busy.verify ? 'Verifying…' : report ? 'Verify again' : 'Verify'}
        </button>
        <button type="button" disabled={Boolean(busy.verify)} onClick={() => setDrillAsk(true)}>
          Failover drill…
        </button>
      </div>
      <ErrorBanner error={errors.verify ?? errors.serverState} />
      {lastAction ? <p role="status">{lastAction}</p> : null}
      {report ? (
        <>
          <p className={`summary ${report.ok ? 'good' : 'bad'}`} role="status" data-testid="verify-summary">
            {report.ok ? 'Every applicable check passed.' : 'Some checks failed: see below.'}
          </p>
          <table className="table overview" data-testid="system-overview">
            <caption>System Overview</caption>
            <thead>
              <tr>
                <th scope="col">Virtual service / real server</th>
                <th scope="col">IP</th>
                <th scope="col">Ports</th>
                <th scope="col">Weight</th>
                <th scope="col">Conns</th>
                <th scope="col">Protocol / state</th>
                <th scope="col">Method</th>
                <th scope="col">Mode</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {report.overview.flatMap((v) => [
                <tr key={v.label} className="vip-row">
                  <th scope="row">{v.label}</th>
                  <td>{v.ip}</td>
                  <td>{v.ports}</td>
                  <td />
                  <td>{v.conns}</td>
                  <td>{v.protocol}</td>
                  <td>{v.method}</td>
                  <td>{v.mode}</td>
                  <td />
                </tr>,
                ...v.reals.map((r) => (
                  <tr key={`${v.label}-${r.label}`} className={`real state-${r.state}`} data-state={r.state}>
                    <td className="indent">{r.label}</td>
                    <td>{r.ip}</td>
                    <td>{r.ports}</td>
                    <td>{r.weight}</td>
                    <td>{r.conns}</td>
                    <td>
                      <span className={`state ${r.state}`}>{r.state}</span> {r.reason ? <span className="muted">{r.reason}</span> : null}
                    </td>
                    <td />
                    <td />
                    <td>
                      {canAct
                        ? (['drain', 'halt', 'online'] as const).map((a) => (
                            <button
                              key={a}
                              type="button"
                              className="small"
                              disabled={Boolean(busy.serverState)}
                              onClick={() => setPending({ vip: v.label, server: r.label, action: a })}
                            >
                              {a[0]!.toUpperCase() + a.slice(1)}
                            </button>
                          ))
                        : null}
                    </td>
                  </tr>
                )),
              ])}
            </tbody>
          </table>
          {report.shares.map((s) => (
            <p key={s.via}>
              Shares through <code>{s.via}</code>: {s.shares.length ? s.shares.join(', ') : <em>none</em>}
            </p>
          ))}
          <table className="table">
            <caption>Checks</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Target</th>
                <th scope="col">Expected</th>
                <th scope="col">Observed</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {report.checks.map((c) => (
                <tr key={c.id} className={c.status === 'pass' ? 'ok' : c.status === 'fail' ? 'bad' : 'na'}>
                  <td>{c.id}</td>
                  <td>{c.target}</td>
                  <td>{c.expectation}</td>
                  <td>
                    {c.observation}
                    {c.why ? <span className="muted"> ({c.why})</span> : null}
                  </td>
                  <td>{c.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {pending ? (
        <Confirm
          title={`${pending.action[0]!.toUpperCase() + pending.action.slice(1)} ${pending.server} in ${pending.vip}?`}
          body={<p>{ACTION_TEXT[pending.action]}</p>}
          confirmLabel={`Yes, ${pending.action}`}
          onCancel={() => setPending(undefined)}
          onConfirm={() => {
            const p = pending;
            setPending(undefined);
            void serverState(p.vip, p.server, p.action, sshKeyPathForCalls()).then(() => verify({ sshKeyPath: sshKeyPathForCalls() }));
          }}
        />
      ) : null}
      {drillAsk ? (
        <Confirm
          title="Run the failover drill?"
          body={
            <p>
              PrintHA drains one server, checks that traffic moves to the others, then brings it back online. Clients may reconnect once.
            </p>
          }
          confirmLabel="Run the drill"
          onCancel={() => setDrillAsk(false)}
          onConfirm={() => {
            setDrillAsk(false);
            void verify({ drill: true, sshKeyPath: sshKeyPathForCalls() });
          }}
        />
      ) : null}
    </StepFrame>
  );
}
