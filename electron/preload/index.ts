/** Sandboxed preload (bundled to CJS): exposes `window.printha` with invoke/on for contract names only. */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.js';

contextBridge.exposeInMainWorld('printha', createPreloadApi(ipcRenderer));
