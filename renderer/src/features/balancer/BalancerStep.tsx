/** Balancer: primary, optional secondary (HA pair), SSH user and key or password. */
import { TextField } from '../../components/Field.js';
import { fieldId } from '../../lib/path.js';
import { StepFrame } from '../../components/common.js';
import { useSettings } from '../../stores/settings.js';
import { useSite } from '../../stores/site.js';

function Node({ which }: { which: 'primary' | 'secondary' }) {
  const base = `balancer.${which}`;
  const platform = useSite((s) => (s.draft?.balancer as { platform?: string } | undefined)?.platform);
  return (
    <div className="grid3">
      <TextField
        path={`${base}.address`}
        label={`${which === 'primary' ? 'Primary' : 'Secondary'} address`}
        placeholder={which === 'primary' ? '192.168.81.20' : '192.168.81.21'}
      />
      <TextField path={`${base}.port`} kind="number" label="SSH port" placeholder="22" />
      <TextField path={`${base}.user`} label="SSH user" placeholder="root" />
      {platform === 'linux-haproxy' ? (
        <>
          <TextField
            path={`${base}.name`}
            label="Node name (its hostname)"
            placeholder={which === 'primary' ? 'lb1' : 'lb2'}
            help="HAProxy's peer name must equal the node's hostname."
          />
          <TextField path={`${base}.interface`} label="Interface for the VIP" placeholder="eth0" />
        </>
      ) : null}
    </div>
  );
}

export function BalancerStep() {
  const hasSecondary = useSite((s) => Boolean((s.draft?.balancer as { secondary?: unknown } | undefined)?.secondary));
  const setField = useSite((s) => s.setField);
  const { sshAuth, sshKeyPath, set } = useSettings();
  return (
    <StepFrame title="Balancer">
      <h2>Primary</h2>
      <Node which="primary" />
      <div className="check">
        <input
          id={fieldId('balancer.secondary')}
          type="checkbox"
          checked={hasSecondary}
          onChange={(e) => setField('balancer.secondary', e.target.checked ? { port: 22, user: 'root' } : undefined)}
        />
        <label htmlFor={fieldId('balancer.secondary')}>Add a secondary balancer (HA pair — recommended)</label>
      </div>
      {hasSecondary ? (
        <>
          <h2>Secondary</h2>
          <Node which="secondary" />
        </>
      ) : (
        <p className="muted">A single balancer works, but it is a single point of failure; the guide recommends an HA pair.</p>
      )}
      <fieldset>
        <legend>SSH authentication</legend>
        <div className="check">
          <input
            id="auth-password"
            type="radio"
            name="ssh-auth"
            checked={sshAuth === 'password'}
            onChange={() => set({ sshAuth: 'password' })}
          />
          <label htmlFor="auth-password">Password — PrintHA asks for it when it connects; it is never saved in the site file.</label>
        </div>
        <div className="check">
          <input id="auth-key" type="radio" name="ssh-auth" checked={sshAuth === 'key'} onChange={() => set({ sshAuth: 'key' })} />
          <label htmlFor="auth-key">Key file on this computer</label>
        </div>
        {sshAuth === 'key' ? (
          <div className="field">
            <label htmlFor="ssh-key-path">Private key file path</label>
            <input
              id="ssh-key-path"
              type="text"
              value={sshKeyPath}
              spellCheck={false}
              placeholder="/home/me/.ssh/id_ed25519"
              onChange={(e) => set({ sshKeyPath: e.target.value })}
            />
            <p className="help">A passphrase, if the key has one, is asked for when PrintHA connects.</p>
          </div>
        ) : null}
      </fieldset>
      <p className="note">
        Host keys: the first time PrintHA connects to a balancer it shows the key’s SHA256 fingerprint and asks you to confirm it (compare
        it with the appliance console). A key that later changes stops everything.
      </p>
    </StepFrame>
  );
}
