// Lint enforces the layering of DESIGN.md:
//   shared/         imports nothing impure (no node:*, electron, react, DOM-only libs, no electron/ or renderer/)
//   electron/core/  never imports electron
//   renderer/       imports nothing from electron/
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Bare built-in names are matched exactly (paths), so a local folder like shared/net is not caught.
const builtinNames = ['fs', 'fs/promises', 'path', 'os', 'child_process', 'net', 'crypto', 'http', 'https', 'stream', 'util', 'events', 'url', 'zlib', 'dns', 'tls', 'readline', 'buffer', 'process', 'worker_threads'];
const builtinPaths = (message) => builtinNames.map((name) => ({ name, message }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'docs/**', 'test/lab/run/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('shared/ is pure: no Node built-ins (it runs in the renderer too).'),
          patterns: [
            { group: ['node:*'], message: 'shared/ is pure: no Node built-ins (it runs in the renderer too).' },
            { group: ['electron', 'electron/*', 'react', 'react-dom', 'react/*', 'zustand', 'ssh2', 'node-powershell', 'ws'], message: 'shared/ is pure: no I/O or UI libraries.' },
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ must not import from electron/ or renderer/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', '__dirname', 'Buffer'],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts', 'electron/bridge/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'electron/*'], message: 'electron/core, cli and bridge run in plain Node: never import electron.' }, { group: ['**/renderer/**'], message: 'core must not import the renderer.' }] },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('renderer runs sandboxed: no Node built-ins.'),
          patterns: [
            { group: ['**/electron/**', 'electron', 'electron/*'], message: 'renderer talks only to shared/contract through a transport.' },
            { group: ['node:*'], message: 'renderer runs sandboxed: no Node built-ins.' },
          ],
        },
      ],
    },
  },
);
