/**
 * Start-up cost of the berth CLI against the stock docker CLI, both talking to the same berthd in a throwaway
 * sandbox: `ps`, `version` and `run --rm bb true`, timed by hyperfine (no shell). The goal of issue 5 is berth ≤ 2×
 * docker on each. berth is timed as bin/berth runs it (the build of scripts/build-cli.ts when fresh) and, for
 * reference, from the TypeScript sources (BERTH_NO_BUNDLE=1). A Node floor runs in the same rounds as each case:
 * for `ps` and `version` a minimal script that does what they do on the wire (connect to the socket, one GET of
 * /containers/json or /version, print the answer), for `run` an empty script — no CLI written in Node can start
 * faster than that.
 *
 *   node_modules/.bin/node bench/cli.ts [--quick] [--runs=N]
 *
 * Each case runs in rounds that alternate the order of the commands, so load from other jobs on this shared
 * machine falls on all alike; the report gives medians over all rounds. Without --quick the report is appended
 * as a new section to bench/results/cli-<YYYY-MM-DD>.md.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runCmd } from '../test/support/proc.ts';
import { REPO_ROOT, Sandbox } from '../test/support/sandbox.ts';

const DOCKER = process.env.BERTH_TEST_DOCKER ?? '/usr/local/bin/docker';
const BERTH = join(REPO_ROOT, 'bin/berth');
const NODE = join(REPO_ROOT, 'node_modules/.bin/node');
const ROUNDS = 4;

interface Args {
  quick: boolean;
  runs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, runs: 40 };
  for (const arg of argv) {
    if (arg === '--quick') {
      a.quick = true;
      a.runs = 12;
    } else if (arg.startsWith('--runs=')) a.runs = Math.max(ROUNDS, Number(arg.slice(7)) || 40);
    else {
      process.stderr.write(`usage: node_modules/.bin/node bench/cli.ts [--quick] [--runs=N]\n`);
      process.exit(2);
    }
  }
  return a;
}

interface Sample {
  wall: number[];
  /** user + system per run, mean of each round */
  cpu: number[];
}

interface HyperfineResult {
  command: string;
  times: number[];
  user: number;
  system: number;
  exit_codes: number[];
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Runs hyperfine once over the named commands; returns per-command wall times and mean CPU (both in ms). */
async function hyperfine(named: [string, string][], runs: number, env: Record<string, string>, tmp: string): Promise<Map<string, Sample>> {
  const out = join(tmp, 'hf.json');
  const argv = ['hyperfine', '-N', '--warmup', '2', '--runs', String(runs), '--export-json', out, '--style', 'none'];
  for (const [name, cmd] of named) argv.push('-n', name, cmd);
  const r = await runCmd(argv, { env, timeoutMs: 20 * 60_000 });
  if (r.code !== 0) throw new Error(`hyperfine failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { results: HyperfineResult[] };
  const m = new Map<string, Sample>();
  for (const res of json.results) {
    if (res.exit_codes.some((c) => c !== 0)) throw new Error(`${res.command}: exit codes ${[...new Set(res.exit_codes)].join(',')}`);
    m.set(res.command, { wall: res.times.map((t) => t * 1000), cpu: [(res.user + res.system) * 1000] });
  }
  return m;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Runs the commands in ROUNDS rounds of alternating order; collects every sample under its name. */
async function rounds(named: [string, string][], runs: number, env: Record<string, string>, tmp: string, what: string): Promise<Map<string, Sample>> {
  const acc = new Map<string, Sample>(named.map(([n]) => [n, { wall: [], cpu: [] }]));
  const per = Math.max(3, Math.ceil(runs / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 1 ? [...named].reverse() : named;
    log(`bench/cli: ${what}, round ${round + 1}/${ROUNDS} (load ${load()})`);
    const m = await hyperfine(order, per, env, tmp);
    for (const [name] of named) {
      acc.get(name)!.wall.push(...m.get(name)!.wall);
      acc.get(name)!.cpu.push(...m.get(name)!.cpu);
    }
  }
  return acc;
}

interface Row {
  what: string;
  docker: Sample;
  berth: Sample;
  sources: Sample;
  floor: Sample;
  floorName: string;
}

/** The least a Node program does for `ps` or `version`: connect, one GET of argv[2], print the answer. */
const RAW_REQUEST = `const s = require('node:net').connect(process.env.BENCH_SOCKET);
s.on('connect', () => s.write('GET ' + process.argv[2] + ' HTTP/1.1\\r\\nHost: api.moby.localhost\\r\\nConnection: close\\r\\n\\r\\n'));
s.on('data', (d) => process.stdout.write(d));
`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if ((await runCmd(['hyperfine', '--version'])).code !== 0) throw new Error('hyperfine is missing: bash scripts/setup.sh --bench');
  const build = await runCmd([NODE, join(REPO_ROOT, 'scripts/build-cli.ts'), '--check']);
  if (build.code !== 0) log('bench/cli: the CLI build is stale or missing, so bin/berth runs the sources: run `node scripts/build-cli.ts` first');
  const loadStart = load();
  const started = new Date();
  const tmp = mkdtempSync('/tmp/berth-bench-cli-');
  log('bench/cli: starting a sandbox');
  const sb = await Sandbox.create({ label: 'bench-cli', debug: false });
  const rows: Row[] = [];
  try {
    await sb.importBusybox('bb');
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DOCKER_HOST: sb.host,
      BERTH_HOST: sb.host,
      DOCKER_CONFIG: sb.dockerConfig,
      BERTH_CONFIG: join(sb.dir, 'berth-config'),
      DOCKER_CLI_HINTS: 'false',
      NODE_COMPILE_CACHE: join(tmp, 'compile-cache'),
      BENCH_SOCKET: sb.socket,
    };
    writeFileSync(join(tmp, 'empty.js'), '');
    writeFileSync(join(tmp, 'raw-request.js'), RAW_REQUEST);
    const sources = `env BERTH_NO_BUNDLE=1 ${BERTH}`;
    const empty = `${NODE} ${join(tmp, 'empty.js')}`;
    for (const [what, cmd, floorName, floor] of [
      ['ps', 'ps', 'node: connect + GET /containers/json + print', `${NODE} ${join(tmp, 'raw-request.js')} /v1.47/containers/json`],
      ['version', 'version', 'node: connect + GET /version + print', `${NODE} ${join(tmp, 'raw-request.js')} /v1.47/version`],
      ['run --rm bb true', 'run --rm bb true', 'node: empty script', empty],
    ] as const) {
      const m = await rounds(
        [
          ['docker', `${DOCKER} ${cmd}`],
          ['berth', `${BERTH} ${cmd}`],
          ['sources', `${sources} ${cmd}`],
          ['floor', floor],
        ],
        args.runs,
        env,
        tmp,
        what,
      );
      rows.push({ what, docker: m.get('docker')!, berth: m.get('berth')!, sources: m.get('sources')!, floor: m.get('floor')!, floorName });
    }
  } finally {
    await sb.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const report = render(rows, args, loadStart, started);
  process.stdout.write(report);
  if (!args.quick) {
    const dir = join(REPO_ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cli-${started.toISOString().slice(0, 10)}.md`);
    if (existsSync(file)) appendFileSync(file, `\n${report}`);
    else writeFileSync(file, `# berth CLI start-up vs the docker CLI\n\n${report}`);
    log(`bench/cli: added a section to ${file}`);
  }
}

function render(rows: Row[], args: Args, loadStart: string, started: Date): string {
  const f = (n: number) => n.toFixed(1);
  const per = Math.max(3, Math.ceil(args.runs / ROUNDS));
  const lines = [
    `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: bin/berth with the warm code cache (scripts/build-cli.ts)`,
    '',
    `Same berthd for both (a sandbox of test/support/sandbox.ts), hyperfine -N, ${ROUNDS} rounds of ${per} runs per command in alternating`,
    `order, 2 warm-up runs per round; medians over all rounds. Load average at start ${loadStart}, at end ${load()} (2 cores, shared).`,
    '',
    '| command | docker median (ms) | berth median (ms) | berth/docker | goal ≤ 2× | Node floor (ms) | floor/docker | berth − floor (ms) | berth from sources (ms) | CPU docker / floor / berth (ms) |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const d = median(r.docker.wall);
    const b = median(r.berth.wall);
    const fl = median(r.floor.wall);
    const ratio = b / d;
    lines.push(
      `| \`${r.what}\` | ${f(d)} | ${f(b)} | ${ratio.toFixed(2)} | ${ratio <= 2 ? 'met' : 'not met'} | ${f(fl)} | ${(fl / d).toFixed(2)} | ${f(b - fl)} | ${f(median(r.sources.wall))} | ${f(mean(r.docker.cpu))} / ${f(mean(r.floor.cpu))} / ${f(mean(r.berth.cpu))} |`,
    );
  }
  lines.push('', 'Fastest runs (min, ms), less disturbed by the other jobs on the machine:', '', '| command | docker | Node floor | berth | berth/docker |', '|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const d = Math.min(...r.docker.wall);
    const b = Math.min(...r.berth.wall);
    lines.push(`| \`${r.what}\` | ${f(d)} | ${f(Math.min(...r.floor.wall))} | ${f(b)} | ${(b / d).toFixed(2)} |`);
  }
  lines.push(
    '',
    'Node floor = the same node binary running, in the same rounds, ' +
      rows.map((r) => `${r.floorName} (${r.what})`).join(', ') +
      '. berth = `bin/berth`: dist/berth-loader.cjs compiling dist/berth.cjs with the V8 code cache dist/berth-cache.bin;',
    '"from sources" = `BERTH_NO_BUNDLE=1`, the `.ts` files through Node\'s type stripping. CPU = user + system, mean per run.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

await main();
