#!/usr/bin/env node
/**
 * `npm test`: every suite, in order — server (node:test through tsx), client (Vitest), then
 * the real-browser end-to-end suites against a production build.
 *
 * Then the server and client suites again on Node 22 and 24 (`scripts/test-nodes.mjs`).
 *
 * Browser suites need Debian's chromium, webkit2gtk-driver and xvfb; the other Node versions
 * need `node scripts/test-nodes.mjs install`. With CI=true a missing browser or Node fails the
 * run; elsewhere the suite is skipped with a loud notice saying what to install.
 * Ends with one summary line: "tests: N passed, N failed".
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_NODE_MAJORS, testNodeBinary, testNodeVersion } from './test-nodes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const isCI = /^(1|true)$/i.test(process.env.CI ?? '');
const totals = { passed: 0, failed: 0 };
const failures = [];
const skippedSuites = [];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(path).isDirectory()) return findTests(path);
    return /\.test\.tsx?$/.test(name) ? [relative(root, path)] : [];
  });
}

/** Runs a command, echoing its output, and adds the counts its runner prints to the totals. */
function run(label, command, args, { env = {}, count } = {}) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const echo = (stream) => (chunk) => {
      stream.write(chunk);
      output += chunk;
      if (output.length > 1e6) output = output.slice(-5e5);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) => {
      // eslint-disable-next-line no-control-regex -- strip ANSI colours before reading the counts
      const counted = count?.(output.replace(/\x1b\[[0-9;]*m/g, ''));
      if (counted) {
        totals.passed += counted.passed;
        totals.failed += counted.failed;
      }
      if (code !== 0) {
        failures.push(label);
        if (!counted?.failed) totals.failed++;
      }
      resolve(code);
    });
  });
}

const nodeTestCounts = (output) => ({
  passed: Number(/^(?:ℹ|#) pass (\d+)/m.exec(output)?.[1] ?? 0),
  failed: Number(/^(?:ℹ|#) fail (\d+)/m.exec(output)?.[1] ?? 0),
});
const vitestCounts = (output) => {
  const line = /^\s*Tests\s+(.*)$/m.exec(output)?.[1] ?? '';
  return { passed: Number(/(\d+) passed/.exec(line)?.[1] ?? 0), failed: Number(/(\d+) failed/.exec(line)?.[1] ?? 0) };
};

function which(binary) {
  return (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, binary)));
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const nodeTestArgs = ['--conditions=source', '--test', '--test-reporter=spec', '--test-timeout=120000'];

const serverTests = findTests(join(root, 'server', 'test'));
const hasClientTests = findTests(join(root, 'client', 'src')).length + findTests(join(root, 'client', 'test')).length > 0;

/** The server and client suites, on the Node.js that `node` names on PATH. */
async function runUnitSuites(suffix = '', env = {}) {
  if (serverTests.length === 0) failures.push('server: no test files found');
  else await run(`server${suffix}`, tsx, [...nodeTestArgs, ...serverTests], { count: nodeTestCounts, env });
  if (hasClientTests) await run(`client${suffix}`, 'npm', ['test', '-w', 'client', '--silent'], { count: vitestCounts, env });
}

await runUnitSuites();

const e2eTests = findTests(join(root, 'e2e'));
if (e2eTests.length > 0) {
  const browsers = {
    chromium: { ok: existsSync('/usr/bin/chromium'), install: 'chromium' },
    webkit: { ok: which('WebKitWebDriver') && which('xvfb-run'), install: 'webkit2gtk-driver xvfb gstreamer1.0-plugins-good gstreamer1.0-libav' },
  };
  const missing = Object.entries(browsers).filter(([, b]) => !b.ok);
  for (const [name, browser] of missing) {
    const message = `${name} end-to-end suites cannot run: install with  sudo apt-get install -y ${browser.install}`;
    if (isCI) failures.push(message);
    else skippedSuites.push(message);
  }
  const build = await run('build (for end-to-end)', 'npm', ['run', 'build', '--silent']);
  if (build === 0) {
    await run('e2e', tsx, [...nodeTestArgs, '--test-concurrency=1', ...e2eTests], {
      count: nodeTestCounts,
      env: { MUSICSHARER_BROWSERS: Object.entries(browsers).filter(([, b]) => b.ok).map(([name]) => name).join(',') },
    });
  }
}

// The same suites on today's Node.js versions (`engines` promises 20.19+; people install 22
// and 24). tsx, npm and vitest start `node` from PATH, so putting another node first on PATH
// runs every process of the suite on it.
for (const major of TEST_NODE_MAJORS) {
  const version = testNodeVersion(major);
  if (version === undefined) {
    const message = `Node ${major} server and client suites cannot run: install with  node scripts/test-nodes.mjs install`;
    if (isCI) failures.push(message);
    else skippedSuites.push(message);
    continue;
  }
  await runUnitSuites(` (Node ${version})`, { PATH: `${dirname(testNodeBinary(major))}${delimiter}${process.env.PATH ?? ''}` });
}

if (skippedSuites.length > 0) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\nSKIPPED suites (they run in CI):\n${skippedSuites.map((s) => `  - ${s}`).join('\n')}\n${bar}`);
}
if (failures.length > 0) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(failures.length > 0 ? 1 : 0);
