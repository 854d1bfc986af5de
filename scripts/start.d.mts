/** The Electron executable, or undefined when npm skipped its download. */
export function electronBinary(base?: string): string | undefined;
