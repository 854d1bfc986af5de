/**
 * The environment a child process (Chromium for the PDF export, smbclient, pwsh) gets: the
 * parent's, without PrintHA's secrets. Any variable whose name starts with PRINTHA_ and contains
 * PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN or CREDENTIAL (PRINTHA_WINDOWS_PASSWORD,
 * PRINTHA_SSH_PASSWORD, PRINTHA_SSH_KEY_PASSPHRASE, a future PRINTHA_BRIDGE_TOKEN ...) is dropped,
 * case-insensitively (Windows environment names are). Everything else, PATH and the PRINTHA_*
 * settings included, is kept.
 */

const SECRET_NAME = /^PRINTHA_.*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|_PASS$|_KEY_?PASS)/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A copy of env without PrintHA's secret variables (the argument is not changed). */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !isSecretEnvName(k)) out[k] = v;
  return out;
}
