/** Discover: connect to every host read-only and show what was found. */
import { useEffect } from 'react';
import { ErrorBanner, NotAvailable, StepFrame } from '../../components/common.js';
import { ScopeChoice } from '../../components/ScopeChoice.js';
import { FindingList } from '../preflight/PreflightStep.js';
import { useRun } from '../../stores/run.js';
import { sshKeyPathForCalls } from '../../stores/settings.js';

interface HostFact {
  label?: string;
  name?: string;
  address?: string;
  reachable: boolean;
  error?: string;
  [k: string]: unknown;
}

function factLine(h: HostFact): string {
  const parts: string[] = [];
  for (const k of ['version', 'role', 'computerName', 'domain', 'printServerRole', 'pendingReboot', 'psVersion'] as const)
    if (h[k] !== undefined) parts.push(`${k}: ${String(h[k])}`);
  if (Array.isArray(h.printerShares)) parts.push(`printer shares: ${(h.printerShares as string[]).join(', ') || 'none'}`);
  return parts.join(' · ');
}

export function DiscoverStep() {
  const { status, facts, factFindings, busy, errors, discover, cancel, loadStatus } = useRun();
  useEffect(() => {
    if (!status) void loadStatus();
  }, [status, loadStatus]);
  if (!status)
    return (
      <StepFrame title="Discover">
        <p role="status">Checking what this build can do…</p>
      </StepFrame>
    );
  if (!status.discover.available)
    return (
      <StepFrame title="Discover">
        <NotAvailable what="Discovery" {...(status.discover.reason ? { reason: status.discover.reason } : {})} />
      </StepFrame>
    );
  const hosts: HostFact[] = [...((facts?.balancer ?? []) as HostFact[]), ...((facts?.servers ?? []) as HostFact[])];
  return (
    <StepFrame title="Discover" intro={<p>PrintHA connects to every host read-only and collects facts. Nothing is changed.</p>}>
      <ScopeChoice />
      <div className="actions">
        <button type="button" className="primary" disabled={Boolean(busy.discover)} onClick={() => discover(sshKeyPathForCalls())}>
          {busy.discover ? 'Discovering…' : facts ? 'Discover again' : 'Discover'}
        </button>
        {busy.discover ? (
          <button type="button" onClick={() => cancel('discover')}>
            Cancel
          </button>
        ) : null}
      </div>
      <ErrorBanner error={errors.discover} />
      {facts ? (
        <>
          <table className="table" data-testid="discover-hosts">
            <caption>Hosts</caption>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Reachable</th>
                <th scope="col">Facts</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((h, i) => (
                <tr key={i} className={h.reachable ? 'ok' : 'bad'}>
                  <td>{h.label ?? h.name ?? h.address}</td>
                  <td>{h.reachable ? 'yes' : `no — ${h.error ?? ''}`}</td>
                  <td>{factLine(h)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <FindingList findings={factFindings} />
        </>
      ) : null}
    </StepFrame>
  );
}
