import { applyCommand } from './commands/apply.js';
import { discoverCommand } from './commands/discover.js';
import { planCommand } from './commands/plan.js';
import { renderCommand } from './commands/render.js';
import { validateCommand } from './commands/validate.js';
import { uiCommand } from './commands/ui.js';
import { runbookCommand } from './commands/runbook.js';
import { packCommand } from './commands/pack.js';
import { importCommand } from './commands/import.js';
import { exportCommand } from './commands/export.js';
import { verifyCommand } from './commands/verify.js';
import type { CliCommand } from './types.js';

/** Every verb; add new ones here. */
export const COMMANDS: CliCommand[] = [validateCommand, renderCommand, uiCommand, discoverCommand, planCommand, applyCommand];
// Runbook, offline script pack, import of its results, Ansible export (issue 8).
COMMANDS.push(runbookCommand, packCommand, importCommand, exportCommand);
// Verification and health (issue 6).
COMMANDS.push(verifyCommand);
