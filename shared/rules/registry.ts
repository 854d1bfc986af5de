/** Every rule module registers here. Order does not matter; findings are sorted. */
import { ADDRESS_RULES } from './addresses.js';
import { APPLIANCE_FACT_RULES } from './appliance-facts.js';
import { BALANCER_RULES } from './balancer.js';
import { DR_RULES } from './dr.js';
import { PARAGON_RULES } from './paragon.js';
import { PORT_RULES } from './ports.js';
import { PROFILE_PORT_RULES } from './profile-ports.js';
import { SERVER_FACT_RULES } from './servers-facts.js';
import { SERVICE_RULES } from './services.js';
import { SHARENAME_RULES } from './sharename.js';
import type { Rule } from './types.js';

export const SITE_RULES: Rule[] = [
  ...SERVICE_RULES,
  ...ADDRESS_RULES,
  ...DR_RULES,
  ...PORT_RULES,
  ...PROFILE_PORT_RULES,
  ...SHARENAME_RULES,
  ...PARAGON_RULES,
  ...BALANCER_RULES,
  ...SERVER_FACT_RULES,
  ...APPLIANCE_FACT_RULES,
];
