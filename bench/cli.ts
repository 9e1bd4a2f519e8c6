/**
 * Start-up cost of the berth CLI against the stock docker CLI, both talking to the same berthd in a throwaway
 * sandbox: `ps`, `version` and `run --rm bb true`, timed by hyperfine (no shell). The goal of issue 5 is berth ≤ 2×
 * docker on each. berth is timed as bin/berth runs it (the dist/berth.cjs bundle when built) and, for reference,
 * from the TypeScript sources (BERTH_NO_BUNDLE=1); Node's own start (an empty script) is the floor.
 *
 *   node_modules/.bin/node bench/cli.ts [--quick] [--runs=N]
 *
 * Rounds alternate the order of the commands so load from other jobs on this shared machine falls on all alike.
 * Without --quick the report is also written to bench/results/cli-<YYYY-MM-DD>.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runCmd } from '../test/support/proc.ts';
import { REPO_ROOT, Sandbox } from '../test/support/sandbox.ts';

const DOCKER = process.env.BERTH_TEST_DOCKER ?? '/usr/local/bin/docker';
const BERTH = join(REPO_ROOT, 'bin/berth');
const NODE = join(REPO_ROOT, 'node_modules/.bin/node');

interface Args {
  quick: boolean;
  runs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, runs: 30 };
  for (const arg of argv) {
    if (arg === '--quick') {
      a.quick = true;
      a.runs = 10;
    } else if (arg.startsWith('--runs=')) a.runs = Math.max(3, Number(arg.slice(7)) || 30);
    else {
      process.stderr.write(`usage: node_modules/.bin/node bench/cli.ts [--quick] [--runs=N]\n`);
      process.exit(2);
    }
  }
  return a;
}

interface Sample {
  wall: number[];
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

interface Row {
  what: string;
  docker: Sample;
  berth: Sample;
  sources: Sample;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if ((await runCmd(['hyperfine', '--version'])).code !== 0) throw new Error('hyperfine is missing: apt-get install -y hyperfine');
  const loadStart = loadavg().map((l) => l.toFixed(2)).join(' ');
  const tmp = mkdtempSync('/tmp/berth-bench-cli-');
  log('bench/cli: starting a sandbox');
  const sb = await Sandbox.create({ label: 'bench-cli', debug: false });
  const rows: Row[] = [];
  let floor: number[] = [];
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
    };
    writeFileSync(join(tmp, 'empty.js'), '');
    const sources = `env BERTH_NO_BUNDLE=1 ${BERTH}`;
    const cases: [string, string][] = [
      ['ps', 'ps'],
      ['version', 'version'],
      ['run --rm bb true', 'run --rm bb true'],
    ];
    const rounds = 3;
    for (const [what, cmd] of cases) {
      const per = Math.max(2, Math.ceil(args.runs / rounds));
      const acc: Record<'docker' | 'berth' | 'sources', Sample> = { docker: { wall: [], cpu: [] }, berth: { wall: [], cpu: [] }, sources: { wall: [], cpu: [] } };
      for (let round = 0; round < rounds; round++) {
        let named: [string, string][] = [
          ['docker', `${DOCKER} ${cmd}`],
          ['berth', `${BERTH} ${cmd}`],
          ['sources', `${sources} ${cmd}`],
        ];
        if (round % 2 === 1) named = named.reverse();
        log(`bench/cli: ${what}, round ${round + 1}/${rounds}`);
        const m = await hyperfine(named, per, env, tmp);
        for (const k of ['docker', 'berth', 'sources'] as const) {
          acc[k].wall.push(...m.get(k)!.wall);
          acc[k].cpu.push(...m.get(k)!.cpu);
        }
      }
      rows.push({ what, ...acc });
    }
    log('bench/cli: node floor');
    floor = (await hyperfine([['node', `${NODE} ${join(tmp, 'empty.js')}`]], args.runs, env, tmp)).get('node')!.wall;
  } finally {
    await sb.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const report = render(rows, floor, args, loadStart);
  process.stdout.write(report);
  if (!args.quick) {
    const dir = join(REPO_ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cli-${new Date().toISOString().slice(0, 10)}.md`);
    writeFileSync(file, report);
    log(`bench/cli: wrote ${file}`);
  }
}

function render(rows: Row[], floor: number[], args: Args, loadStart: string): string {
  const f = (n: number) => n.toFixed(1);
  const lines = [
    `# berth CLI start-up vs the docker CLI (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Same berthd for both (a sandbox of test/support/sandbox.ts), hyperfine -N, ${args.runs} runs per command in 3 rounds of alternating order,`,
    `2 warm-up runs per round. Load average at start ${loadStart}, at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (2 cores, shared).`,
    '',
    '| command | docker median (ms) | berth median (ms) | berth/docker | goal ≤ 2× | berth from sources (ms) | CPU docker / berth (ms) |',
    '|---|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of rows) {
    const d = median(r.docker.wall);
    const b = median(r.berth.wall);
    const ratio = b / d;
    lines.push(
      `| \`${r.what}\` | ${f(d)} | ${f(b)} | ${ratio.toFixed(2)} | ${ratio <= 2 ? 'met' : 'not met'} | ${f(median(r.sources.wall))} | ${f(mean(r.docker.cpu))} / ${f(mean(r.berth.cpu))} |`,
    );
  }
  lines.push('', `Node's own start (an empty script, same node binary): median ${f(median(floor))} ms — the floor under every berth number.`, '');
  lines.push(
    'berth = `bin/berth` running the single-file bundle `dist/berth.cjs` (scripts/build-cli.ts) with the V8 compile cache;',
    '"from sources" = `BERTH_NO_BUNDLE=1`, the `.ts` files through Node\'s type stripping. CPU = user + system, mean per run.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

await main();
