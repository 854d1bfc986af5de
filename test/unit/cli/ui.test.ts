import { describe, expect, it } from 'vitest';
import { parseUiArgs, uiCommand } from '../../../electron/cli/commands/ui.js';
import { COMMANDS } from '../../../electron/cli/registry.js';
import { electronBinary } from '../../../scripts/start.mjs';

describe('printha ui', () => {
  it('is registered', () => {
    expect(COMMANDS).toContain(uiCommand);
  });
  it('parses --port and --no-open, refuses junk', () => {
    expect(parseUiArgs([])).toEqual({ port: 0, open: true });
    expect(parseUiArgs(['--port', '8123', '--no-open'])).toEqual({ port: 8123, open: false });
    expect(() => parseUiArgs(['--port', 'abc'])).toThrow(/--port must be a number/);
    expect(() => parseUiArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseUiArgs(['extra'])).toThrow(/Unexpected argument/);
    expect(() => parseUiArgs(['--bogus'])).toThrow(/Unknown option/);
  });
  it('npm start detects the missing Electron binary', () => {
    expect(electronBinary('/nonexistent')).toBeUndefined();
  });
});
