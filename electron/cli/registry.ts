import { applyCommand } from './commands/apply.js';
import { discoverCommand } from './commands/discover.js';
import { planCommand } from './commands/plan.js';
import { renderCommand } from './commands/render.js';
import { validateCommand } from './commands/validate.js';
import { uiCommand } from './commands/ui.js';
import type { CliCommand } from './types.js';

/** Every verb; add new ones here. */
export const COMMANDS: CliCommand[] = [validateCommand, renderCommand, uiCommand, discoverCommand, planCommand, applyCommand];
