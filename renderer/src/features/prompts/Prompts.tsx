/** Dialogs for the core's questions: unknown host key, credential, and a changed host key (hard stop). */
import { useState } from 'react';
import { Dialog } from '../../components/common.js';
import { useRun } from '../../stores/run.js';
import { usePrompts, type CredentialPrompt, type HostKeyPrompt } from '../../stores/prompts.js';

const KIND_TEXT = {
  'ssh-password': 'SSH password',
  'ssh-key-passphrase': 'SSH key passphrase',
  'windows-password': 'Windows password',
} as const;

function HostKey({ p }: { p: HostKeyPrompt }) {
  const decide = usePrompts((s) => s.decideHostKey);
  return (
    <Dialog title="Trust this host key?" onCancel={() => decide(p.id, false)} testId="hostkey-dialog">
      <p>
        PrintHA has not connected to <strong>{p.host}</strong> (port {p.port}) before. Its SSH host key fingerprint is:
      </p>
      <p>
        <code className="fingerprint" data-testid="fingerprint">
          {p.fingerprint}
        </code>
      </p>
      <p>
        Compare it with the fingerprint on the appliance’s console (for example `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`). Trust
        it only if they match.
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={() => decide(p.id, false)}>
          Reject
        </button>
        <button type="button" className="primary" onClick={() => decide(p.id, true)}>
          Trust and connect
        </button>
      </div>
    </Dialog>
  );
}

function Credential({ p }: { p: CredentialPrompt }) {
  const provide = usePrompts((s) => s.provideCredential);
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  const submit = () => {
    const s = secret;
    setSecret('');
    void provide(p.id, s, remember && p.canRemember);
  };
  return (
    <Dialog title={`${KIND_TEXT[p.kind]} for ${p.host}`} onCancel={() => provide(p.id, null, false)} testId="credential-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="field">
          <label htmlFor="secret">
            {KIND_TEXT[p.kind]} of {p.user}@{p.host}
          </label>
          <input id="secret" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
        </div>
        <div className="check">
          <input
            id="remember"
            type="checkbox"
            checked={remember}
            disabled={!p.canRemember}
            onChange={(e) => setRemember(e.target.checked)}
            aria-describedby="remember-note"
          />
          <label htmlFor="remember">Remember on this computer (encrypted)</label>
        </div>
        <p id="remember-note" className="help">
          {p.canRemember
            ? 'Stored with the operating system’s encryption, never in the site file.'
            : (p.rememberNote ?? 'This computer cannot store it encrypted, so PrintHA will ask again next session.')}
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={() => provide(p.id, null, false)}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Connect
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function Prompts() {
  const first = usePrompts((s) => s.queue[0]);
  const note = usePrompts((s) => s.note);
  const changed = useRun((s) => s.hostKeyChanged);
  const dismiss = useRun((s) => s.dismissHostKeyChanged);
  return (
    <>
      {note ? (
        <p className="toast" role="status">
          {note}{' '}
          <button type="button" className="link" onClick={() => usePrompts.setState({ note: undefined })}>
            Dismiss
          </button>
        </p>
      ) : null}
      {changed ? (
        <Dialog title="The host key has CHANGED" onCancel={dismiss} testId="hostkey-changed-dialog">
          <p className="bad">
            <strong>{changed.host ?? 'A host'}</strong> presented a different SSH host key than the one PrintHA trusted. This can mean the
            appliance was reinstalled — or that someone is intercepting the connection. PrintHA stopped and changed nothing.
          </p>
          <p>{changed.message}</p>
          <p>If the change is expected, remove the old entry for this host from PrintHA’s known_hosts file and connect again.</p>
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={dismiss}>
              Close
            </button>
          </div>
        </Dialog>
      ) : first?.type === 'hostKey' ? (
        <HostKey key={first.id} p={first} />
      ) : first?.type === 'credential' ? (
        <Credential key={first.id} p={first} />
      ) : null}
    </>
  );
}
