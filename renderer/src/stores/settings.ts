/** Settings of this session that are not part of the site file (kept in memory only). */
import { create } from 'zustand';

interface SettingsState {
  sshAuth: 'password' | 'key';
  /** Path of the SSH private key on the computer that runs PrintHA (not a secret; the passphrase is asked). */
  sshKeyPath: string;
  set(p: Partial<Pick<SettingsState, 'sshAuth' | 'sshKeyPath'>>): void;
}

export const useSettings = create<SettingsState>((set) => ({
  sshAuth: 'password',
  sshKeyPath: '',
  set: (p) => set(p),
}));

/** The key path to pass to engine calls, if key authentication is chosen. */
export function sshKeyPathForCalls(): string | undefined {
  const s = useSettings.getState();
  return s.sshAuth === 'key' && s.sshKeyPath.trim() ? s.sshKeyPath.trim() : undefined;
}
