/**
 * Builds the daemon's native helpers, dist/native/berth-net.node (git-ignored), from native/berth-net.c with gcc
 * against the Node-API headers of the npm package node-api-headers (Node-API is ABI-stable: one build serves every
 * Node ≥ the version it names). Skipped when the module is newer than its source. The daemon works without it
 * (src/system/native/berth-net.ts falls back to Node; slower embedded DNS and container start on networks).
 *
 *   node scripts/build-native.ts [-v] [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const REPO = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(REPO, 'native/berth-net.c');
const OUT_DIR = join(REPO, 'dist/native');
const OUT = join(OUT_DIR, 'berth-net.node');
const HEADERS = join(REPO, 'node_modules/node-api-headers/include');

const verbose = process.argv.includes('-v');
if (!process.argv.includes('--force') && existsSync(OUT) && statSync(OUT).mtimeMs >= statSync(SRC).mtimeMs) {
  if (verbose) console.log(`build-native: ${relative(REPO, OUT)} is up to date`);
  process.exit(0);
}
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(REPO, 'dist/.gitignore'), '# build output of scripts/build-*.ts\n*\n');
const tmp = `${OUT}.${process.pid}.tmp`;
const t0 = performance.now();
const cc = spawnSync(
  'gcc',
  ['-O2', '-g', '-fPIC', '-shared', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fvisibility=hidden', '-pthread', `-I${HEADERS}`, '-o', tmp, SRC],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
if (cc.error || cc.status !== 0) {
  console.error(`build-native: gcc failed${cc.error ? `: ${cc.error.message}` : ` (exit ${cc.status})`}`);
  process.exit(1);
}
renameSync(tmp, OUT);
if (verbose) console.log(`build-native: ${relative(REPO, OUT)} in ${Math.round(performance.now() - t0)} ms`);
