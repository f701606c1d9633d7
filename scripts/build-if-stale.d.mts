/** Types for build-if-stale.mjs (plain JavaScript: it runs before anything is built). */
export interface Build {
  /** Said in the build line: "building the server". */
  title: string;
  /** A bin in node_modules/.bin, run under the current Node. */
  tool: string;
  args: string[];
  /** Relative to the root. */
  cwd: string;
  /** Files and folders (walked, without node_modules, dist and tests) the build reads, relative to the root. */
  inputs: string[];
  /** Files the build writes; their modification times are its record. */
  outputs: string[];
}

export const BUILDS: Build[];
export function staleBuilds(root: string, builds?: Build[]): { build: Build; reason: string }[];
export function buildIfStale(root: string, log?: { write(text: string): unknown }, builds?: Build[]): Promise<boolean>;
