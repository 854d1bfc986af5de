// electron-vite with this repo's folder names: main electron/main, preload electron/preload
// (CJS, fully bundled: a sandboxed preload can only require 'electron'), renderer root renderer/.
// JSX uses esbuild's automatic runtime (tsconfig jsx: react-jsx); no @vitejs/plugin-react needed.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve('electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      target: 'chrome120',
      minify: 'esbuild',
      sourcemap: false,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
