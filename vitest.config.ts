import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests of electron/main and the preload import 'electron' as a stub (no Electron binary here).
const electronStub = fileURLToPath(new URL('./test/support/electron-stub.ts', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { electron: electronStub } },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.ts', 'test/renderer/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['test/renderer/setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias: { electron: electronStub } },
        test: {
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // one lab per machine: the lab projects run one after the other (projects run in parallel otherwise)
          sequence: { groupOrder: 1 },
          globalSetup: ['test/integration/lab-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
