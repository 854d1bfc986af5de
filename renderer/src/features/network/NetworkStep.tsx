/** Network: VIP, share name, subnet, DNS. */
import { TextField } from '../../components/Field.js';
import { StepFrame } from '../../components/common.js';

export function NetworkStep() {
  return (
    <StepFrame title="Network" intro={<p>The address clients print to, and the name they use for it.</p>}>
      <div className="grid2">
        <TextField
          path="vip"
          label="Virtual IP address (VIP)"
          placeholder="192.168.81.10"
          help="The address the balancer brings up; clients connect to it."
        />
        <TextField
          path="network.prefixLength"
          kind="number"
          label="Subnet prefix length"
          placeholder="24"
          help="The subnet of the VIP, the servers and the balancer interface (24 = 255.255.255.0)."
        />
        <TextField
          path="shareName"
          label="Share name"
          placeholder="Dispatcher"
          help={'The name clients use (\\\\name): a NetBIOS name of at most 15 characters; PrintHA adds it to every server and to DNS.'}
        />
      </div>
      <h2>DNS (optional)</h2>
      <p className="muted">Without a DNS server the A record for the share name is a manual step in the runbook.</p>
      <div className="grid2">
        <TextField path="dns.server" label="DNS server address" placeholder="192.168.81.5" />
        <TextField path="dns.zone" label="DNS zone" placeholder="corp.example.com" />
      </div>
    </StepFrame>
  );
}
