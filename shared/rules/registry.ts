/** Every rule module registers here. Order does not matter; findings are sorted. */
import type { Rule } from './types.js';

export const SITE_RULES: Rule[] = [];
