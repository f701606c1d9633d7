export * from './mp3.js';
export * from './id3.js';
export * from './wav.js';
export * from './flac.js';
export * from './m4a.js';
