/** Platform and mode: the balancer platform, and DR vs SNAT explained as the guide explains it. */
import { PLATFORMS } from '../../../../shared/site/schema.js';
import { GroupErrors, SelectField } from '../../components/Field.js';
import { StepFrame } from '../../components/common.js';
import { useSite } from '../../stores/site.js';

const PLATFORM_LABELS: Record<(typeof PLATFORMS)[number], string> = {
  'loadbalancer-org': 'Loadbalancer.org appliance (SSH + lbcli)',
  'linux-haproxy': 'Linux with HAProxy + keepalived (SSH)',
  'f5-bigip': 'F5 BIG-IP (tmsh script to run)',
  netscaler: 'Citrix NetScaler ADC (CLI batch to run)',
};

const MODES = [
  {
    value: 'dr',
    title: 'Layer 4 DR (direct routing) — the guide’s preferred mode',
    points: [
      'Very fast: on average DR mode is 8 times quicker than NAT for HTTP, 50 times quicker for Terminal Services and much, much faster for streaming media or FTP.',
      'Transparent: the print servers see the client’s own source IP address.',
      'The ARP problem must be solved on every print server: each one also owns the VIP (a loopback adapter with the VIP, weak host send/receive) but must not answer ARP for it. PrintHA prepares this for you.',
      'The balancer needs an interface in the same subnet as the print servers.',
      'Port translation is impossible in DR mode (VIP:80 → RIP:8080 is not supported).',
    ],
  },
  {
    value: 'snat',
    title: 'Layer 7 SNAT (HAProxy proxy)',
    points: [
      'Not as fast as the Layer 4 methods, but still high performance.',
      'Not transparent by default: the print servers see the balancer’s address, not the client’s.',
      'No changes to the print servers; they can be on any subnet the balancer reaches.',
      'Port translation is possible (VIP:80 → RIP:8080 works).',
    ],
  },
] as const;

export function ModeStep() {
  const mode = useSite((s) => s.draft?.mode);
  const setField = useSite((s) => s.setField);
  return (
    <StepFrame title="Platform and mode">
      <SelectField
        path="balancer.platform"
        label="Load balancer platform"
        options={PLATFORMS.map((p) => ({ value: p, label: PLATFORM_LABELS[p] }))}
      />
      <fieldset className="modes">
        <legend>Load balancing mode</legend>
        {MODES.map((m) => {
          const id = `mode-${m.value}`;
          return (
            <div key={m.value} className={`mode-card${mode === m.value ? ' selected' : ''}`}>
              <div className="check">
                <input
                  id={id}
                  type="radio"
                  name="mode"
                  value={m.value}
                  checked={mode === m.value}
                  onChange={() => setField('mode', m.value)}
                  aria-describedby={`${id}-points`}
                />
                <label htmlFor={id}>
                  <strong>{m.title}</strong>
                </label>
              </div>
              <ul id={`${id}-points`}>
                {m.points.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </div>
          );
        })}
        <GroupErrors path="mode" />
      </fieldset>
    </StepFrame>
  );
}
