/**
 * Dialogs for the core's questions: unknown host key (first contact, or — louder — a key of a new
 * type for a known host), credential, and a changed host key (hard stop).
 */
import { useState } from 'react';
import { Dialog } from '../../components/common.js';
import { useRun } from '../../stores/run.js';
import { usePrompts, type CredentialPrompt, type HostKeyPrompt } from '../../stores/prompts.js';

const KIND_TEXT = {
  'ssh-password': 'SSH password',
  'ssh-key-passphrase': 'SSH key passphrase',
  'windows-password': 'Windows password',
} as const;

/** Where to read a host key's fingerprint on the host (the CLI and the SSH layer say the same). */
function consoleCommand(keyType: string | undefined): string {
  const file = keyType === 'ssh-rsa' ? 'rsa' : keyType?.startsWith('ecdsa-') ? 'ecdsa' : keyType === 'ssh-ed25519' ? 'ed25519' : '*';
  return `ssh-keygen -lf /etc/ssh/ssh_host_${file}_key.pub (on Windows C:\\ProgramData\\ssh\\ssh_host_${file}_key.pub)`;
}

function HostKey({ p }: { p: HostKeyPrompt }) {
  if (p.knownKeys && p.knownKeys.length > 0) return <NewKeyType p={p} known={p.knownKeys} />;
  return <FirstContact p={p} />;
}

/** (a) A host PrintHA has never connected to. */
function FirstContact({ p }: { p: HostKeyPrompt }) {
  const decide = usePrompts((s) => s.decideHostKey);
  return (
    <Dialog title="Trust this host key?" onCancel={() => decide(p.id, false)} testId="hostkey-dialog">
      <p>
        PrintHA has not connected to <strong>{p.host}</strong> (port {p.port}) before. Its SSH host key fingerprint is:
      </p>
      <p>
        {p.keyType ? <span data-testid="key-type">{p.keyType} </span> : null}
        <code className="fingerprint" data-testid="fingerprint">
          {p.fingerprint}
        </code>
      </p>
      <p>
        Compare it with the fingerprint on the appliance’s console (for example `{consoleCommand(p.keyType)}`). Trust it only if they match.
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

/**
 * (b) A KNOWN host presents a key of a type PrintHA has never seen for it: louder than first
 * contact — the known keys are named, the risk is said, Reject is the default and trusting needs an
 * explicit tick that the fingerprint was compared on the console.
 */
function NewKeyType({ p, known }: { p: HostKeyPrompt; known: NonNullable<HostKeyPrompt['knownKeys']> }) {
  const decide = usePrompts((s) => s.decideHostKey);
  const [compared, setCompared] = useState(false);
  const keyType = p.keyType ?? 'new';
  return (
    <Dialog title={`WARNING: new host key type for ${p.host}`} onCancel={() => decide(p.id, false)} testId="hostkey-newtype-dialog">
      <p className="bad">
        <strong>{p.host}</strong> (port {p.port}) is already known to PrintHA, by a key of another type, but now presents a{' '}
        <strong data-testid="key-type">{keyType}</strong> key instead. This may be a man-in-the-middle attack, or the server was
        re-installed or its SSH keys regenerated.
      </p>
      <table className="hostkeys" data-testid="known-keys">
        <tbody>
          {known.map((k) => (
            <tr key={`${k.keyType} ${k.fingerprint}`}>
              <th scope="row">Known ({k.keyType})</th>
              <td>
                <code className="fingerprint">{k.fingerprint}</code>
              </td>
            </tr>
          ))}
          <tr className="bad">
            <th scope="row">Presented now ({keyType})</th>
            <td>
              <code className="fingerprint" data-testid="fingerprint">
                {p.fingerprint}
              </code>
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        Compare <code>{p.fingerprint}</code> with the server’s console (`{consoleCommand(p.keyType)}`) before trusting it. If you cannot
        check it there, reject.
      </p>
      <div className="check">
        <input id="hostkey-compared" type="checkbox" checked={compared} onChange={(e) => setCompared(e.target.checked)} />
        <label htmlFor="hostkey-compared">I compared this fingerprint with the server’s console and it matches</label>
      </div>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={() => decide(p.id, false)}>
          Reject
        </button>
        <button type="button" disabled={!compared} onClick={() => decide(p.id, true)}>
          Trust the new {keyType} key
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
