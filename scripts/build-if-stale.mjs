/**
 * The build step of `npm start`: runs only the builds whose output is missing or older than its
 * sources, the way make does, so a restart over an unchanged checkout starts at once instead of
 * spending seconds in `tsc -b` and `vite build`. A fresh clone (no dist) builds everything.
 *
 * Each build's record is the modification time of its outputs: after a build succeeds they are
 * set to the time it started (a file saved while it ran still counts as newer), after one fails
 * to the epoch (tsc emits even with type errors, so its fresh files must not pass for a good
 * build). Building is quiet: one line per build, the tools' own output only when one fails.
 *
 * Plain Node with no dependency: it runs before anything is built, on every supported Node.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What every build reads besides its own sources: shared code, compiler settings, dependencies. */
const COMMON_INPUTS = ['shared/src', 'shared/package.json', 'tsconfig.base.json', 'package.json', 'package-lock.json'];

export const BUILDS = [
  {
    title: 'the server',
    // `tsc` here and `vite` below are the packages' own bins in node_modules/.bin.
    tool: 'tsc',
    args: ['-b', 'shared', 'server'],
    cwd: '.',
    inputs: [...COMMON_INPUTS, 'shared/tsconfig.json', 'server/src', 'server/package.json', 'server/tsconfig.json'],
    // tsc -b writes each project's .tsbuildinfo whenever it builds it, but leaves unchanged
    // output files alone: the entry files only say the build exists.
    outputs: ['shared/tsconfig.tsbuildinfo', 'server/tsconfig.tsbuildinfo', 'shared/dist/index.js', 'server/dist/main.js'],
  },
  {
    title: 'the web client',
    tool: 'vite',
    args: ['build'],
    cwd: 'client',
    // Vite reads the shared package from its sources (the "source" export condition).
    inputs: [...COMMON_INPUTS, 'client/src', 'client/public', 'client/index.html', 'client/vite.config.ts', 'client/tsconfig.json', 'client/package.json'],
    outputs: ['client/dist/index.html'],
  },
];

const SKIPPED_NAMES = new Set(['node_modules', 'dist']);
/** Tests sit beside the client's sources; no build reads them. */
const TEST_FILE = /\.test\.[cm]?[jt]sx?$/;

/** The newest file under `path` (a file or a folder), or undefined when there is none. */
function newestFile(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return undefined;
  }
  if (!stats.isDirectory()) return { path, mtimeMs: stats.mtimeMs };
  let newest;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (SKIPPED_NAMES.has(entry.name) || TEST_FILE.test(entry.name)) continue;
    const found = newestFile(join(path, entry.name));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/**
 * The builds `root` needs, each with the reason in words: an output is missing, or a source is
 * newer than the oldest output.
 */
export function staleBuilds(root, builds = BUILDS) {
  const stale = [];
  for (const build of builds) {
    let oldestOutput = Infinity;
    let missing;
    for (const output of build.outputs) {
      try {
        oldestOutput = Math.min(oldestOutput, statSync(join(root, output)).mtimeMs);
      } catch {
        missing = output;
        break;
      }
    }
    if (missing) {
      stale.push({ build, reason: `${missing} is missing` });
      continue;
    }
    let newestInput;
    for (const input of build.inputs) {
      const found = newestFile(join(root, input));
      if (found && (!newestInput || found.mtimeMs > newestInput.mtimeMs)) newestInput = found;
    }
    if (newestInput && newestInput.mtimeMs > oldestOutput) {
      stale.push({ build, reason: `${relative(root, newestInput.path)} changed` });
    }
  }
  return stale;
}

function setOutputTimes(root, build, time) {
  for (const output of build.outputs) {
    const path = join(root, output);
    if (existsSync(path)) utimesSync(path, time, time);
  }
}

/** Runs one build with its output captured; resolves to that output, rejects with it on failure. */
function runBuild(root, build) {
  return new Promise((resolve, reject) => {
    // The tool's own script under this very Node: a `#!/usr/bin/env node` shim would take
    // whichever node comes first on PATH.
    const script = realpathSync(join(root, 'node_modules', '.bin', build.tool));
    const child = spawn(process.execPath, [script, ...build.args], { cwd: join(root, build.cwd), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => reject(Object.assign(error, { output })));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(Object.assign(new Error(`${build.tool} ${build.args.join(' ')} failed (${signal ?? `exit code ${code}`})`), { output }));
    });
  });
}

/**
 * Runs the stale builds (side by side: they share nothing) and tells `log` about each. Resolves
 * to true when everything is built, false when a build failed (its output is then in `log`).
 */
export async function buildIfStale(root, log = process.stderr, builds = BUILDS) {
  const results = await Promise.all(
    staleBuilds(root, builds).map(async ({ build, reason }) => {
      log.write(`musicsharer: building ${build.title} (${reason})\n`);
      const started = new Date();
      try {
        await runBuild(root, build);
        setOutputTimes(root, build, started);
        log.write(`musicsharer: built ${build.title} in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s\n`);
        return true;
      } catch (error) {
        setOutputTimes(root, build, new Date(0));
        log.write(`${error.output ?? ''}musicsharer: building ${build.title} failed: ${error.message}\n`);
        return false;
      }
    }),
  );
  return results.every(Boolean);
}
