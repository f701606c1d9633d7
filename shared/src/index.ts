export * from './library.js';
export * from './protocol.js';
export * from './auth.js';
