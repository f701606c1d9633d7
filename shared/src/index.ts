export * from './library.js';
export * from './protocol.js';
