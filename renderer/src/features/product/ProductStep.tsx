/** Product and services: the site name, the product profile and which of its services to balance. */
import { PROFILES } from '../../../../shared/profiles/index.js';
import { PROFILES as PROFILE_IDS, type ProfileId } from '../../../../shared/site/schema.js';
import { GroupErrors, SelectField, TextField } from '../../components/Field.js';
import { StepFrame } from '../../components/common.js';
import { formatRanges, parsePortSpec } from '../../../../shared/site/ports.js';
import { useSite } from '../../stores/site.js';

function portsText(ports: readonly (number | string)[]): string {
  const ranges = ports.flatMap((p) => {
    const r = parsePortSpec(p);
    return typeof r === 'string' ? [] : [r];
  });
  return formatRanges(ranges);
}

export function ProductStep() {
  const profileId = useSite((s) => s.draft?.profile) as ProfileId | undefined;
  const selected = useSite((s) => s.draft?.services) as string[] | undefined;
  const setField = useSite((s) => s.setField);
  const profile = profileId && PROFILE_IDS.includes(profileId) ? PROFILES[profileId] : undefined;
  const chosen = selected ?? profile?.defaultServices ?? [];

  const toggle = (id: string, on: boolean) => {
    if (!profile) return;
    const next = profile.services.map((s) => s.id).filter((x) => (x === id ? on : chosen.includes(x)));
    setField('services', next);
  };

  return (
    <StepFrame title="Product and services">
      <TextField path="name" label="Site name" help="Free text, shown in the runbook (for example: Head office print servers)." />
      <SelectField
        path="profile"
        label="Product"
        options={PROFILE_IDS.map((id) => ({ value: id, label: PROFILES[id].title }))}
        help="The product decides the services, ports, health checks and persistence."
      />
      {profile ? (
        <fieldset className="services">
          <legend>Services to balance</legend>
          {profile.services.map((s) => {
            const id = `svc-${s.id}`;
            return (
              <div className="check" key={s.id}>
                <input id={id} type="checkbox" checked={chosen.includes(s.id)} onChange={(e) => toggle(s.id, e.target.checked)} />
                <label htmlFor={id}>
                  <strong>{s.title}</strong>{' '}
                  <span className="muted">
                    VIP label {s.vipLabel}, TCP {portsText(s.ports)}
                  </span>
                </label>
              </div>
            );
          })}
          <GroupErrors path="services" />
        </fieldset>
      ) : null}
    </StepFrame>
  );
}
