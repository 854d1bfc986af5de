/** The Electron executable, or undefined when npm skipped its download. */
export function electronBinary(base?: string, env?: NodeJS.ProcessEnv): string | undefined;

export const NO_BINARY: string;
export const NO_DISPLAY: string;

export type StartDecision = { mode: 'electron'; bin: string } | { mode: 'browser'; reason: string };

/** What `npm start` does: the desktop app, or browser mode with the one sentence it prints. */
export function startDecision(o: { bin: string | undefined; platform?: string; env?: NodeJS.ProcessEnv }): StartDecision;
