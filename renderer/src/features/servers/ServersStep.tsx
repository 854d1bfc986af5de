/** Print servers: an editable table, and how PrintHA reaches Windows (WinRM or SSH, the account). */
import { TRANSPORTS } from '../../../../shared/site/schema.js';
import { GroupErrors, SelectField, TextField } from '../../components/Field.js';
import { StepFrame } from '../../components/common.js';
import { useSite } from '../../stores/site.js';

const TRANSPORT_LABELS: Record<(typeof TRANSPORTS)[number], string> = {
  winrm: 'WinRM (HTTP 5985, Kerberos or explicit credentials)',
  'winrm-https': 'WinRM over HTTPS (5986)',
  ssh: 'PowerShell over SSH',
};

export function ServersStep() {
  const count = useSite((s) => (Array.isArray(s.draft?.servers) ? (s.draft.servers as unknown[]).length : 0));
  const addServer = useSite((s) => s.addServer);
  const removeServer = useSite((s) => s.removeServer);
  return (
    <StepFrame title="Print servers">
      <table className="edit-table">
        <caption className="sr-only">Print servers</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Address</th>
            <th scope="col">Host name (optional)</th>
            <th scope="col">Weight</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: count }, (_, i) => (
            <tr key={i}>
              <td>
                <TextField path={`servers[${i}].label`} label={`Server ${i + 1} label`} hideLabel placeholder={`PS${i + 1}`} />
              </td>
              <td>
                <TextField path={`servers[${i}].address`} label={`Server ${i + 1} address`} hideLabel placeholder="192.168.81.184" />
              </td>
              <td>
                <TextField
                  path={`servers[${i}].hostname`}
                  label={`Server ${i + 1} host name`}
                  hideLabel
                  placeholder="ps1.corp.example.com"
                />
              </td>
              <td>
                <TextField path={`servers[${i}].weight`} kind="number" label={`Server ${i + 1} weight`} hideLabel placeholder="100" />
              </td>
              <td>
                <button type="button" onClick={() => removeServer(i)} aria-label={`Remove server ${i + 1}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <GroupErrors path="servers" />
      <button type="button" onClick={addServer}>
        Add server
      </button>
      <h2>Reaching the servers</h2>
      <div className="grid2">
        <SelectField
          path="windows.transport"
          label="PowerShell remoting"
          options={TRANSPORTS.map((t) => ({ value: t, label: TRANSPORT_LABELS[t] }))}
        />
        <TextField
          path="windows.user"
          label="Account"
          placeholder="CORP\deploy"
          help="DOMAIN\user or user@domain. The password is asked for when PrintHA connects, and never saved in the site file."
        />
        <TextField path="windows.port" kind="number" label="Port (optional)" placeholder="default for the transport" />
      </div>
    </StepFrame>
  );
}
