export * from './library.js';
export * from './protocol.js';
export * from './auth.js';
export * from './share.js';
export * from './playlist.js';
export * from './screens.js';
export * from './transcode.js';
