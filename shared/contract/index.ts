/** The contract between every UI and the core: channels, events, the error shape. Pure (zod only). */
export * from './names.js';
export * from './errors.js';
export * from './error-schema.js';
export * from './channels.js';
export * from './events.js';
export * from './scope.js';
