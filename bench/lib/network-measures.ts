import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CmdResult, clip, describeCmd, runCmd, sleep } from '../../test/support/proc.ts';
import { type RunningCmd, startCmd } from '../../test/support/running-cmd.ts';
import { parseDnsperf, parseIperf3, parseWrk, percentile } from './network-parse.ts';
import type { NetMeasureId, NetPlan, NetResults } from './network-report.ts';
import { BudgetError, type Slot } from './slot.ts';
import { summarize } from './stats.ts';

/**
 * The network measurements, each daemon in its own sandbox, driven by the stock docker CLI; the load tools
 * (dnsperf, wrk, iperf3: Debian packages) run inside the sandbox's namespaces, entering a container's network
 * namespace with nsenter where the measure is "from a container". Timed work alternates between the daemons
 * (berth, docker, docker, berth, …) so load from elsewhere on the machine falls on both alike.
 */

/** The sandbox host's own address, on a veth inside the sandbox (the kernel here has no dummy links). */
export const HOST_ADDR = '203.0.113.1';
const NET = 'benchnet';

/** Alternates the order (of engines, of targets) from round to round, so that neither always goes first. */
function turn<T>(items: T[], round: number): T[] {
  return round % 2 === 0 ? items : [...items].reverse();
}

export async function hasTool(name: string): Promise<boolean> {
  return (await runCmd(['sh', '-c', `command -v ${name}`], { timeoutMs: 5000 })).code === 0;
}

/** Runs argv inside the slot's sandbox; throws with the story on a non-zero exit. */
async function inSandbox(s: Slot, argv: string[], timeoutMs: number): Promise<CmdResult> {
  if (Date.now() > s.deadline) throw new BudgetError('time budget of the bench used up');
  const r = await s.sb!.exec(argv, { timeoutMs });
  if (r.code !== 0) throw new Error(clip(`${describeCmd(r)}\n(on ${s.title})`, 4000));
  return r;
}

export interface Stage {
  /** Container pids (as the daemon reports them, in the sandbox's pid namespace). */
  webPid: number;
  clientPid: number;
  webIp: string;
  queries: string;
}

/**
 * The stage of the DNS, HTTP and TCP measures: a veth `bench0` with the host address, the user-defined network
 * `benchnet`, `web` (busybox httpd, published as 8080; 81 published as 8081 for the keep-alive server; alias www)
 * and `client` on it.
 */
export async function setStage(s: Slot): Promise<Stage> {
  for (const argv of [
    ['ip', 'link', 'add', 'bench0', 'type', 'veth', 'peer', 'name', 'bench1'],
    ['ip', 'addr', 'add', `${HOST_ADDR}/24`, 'dev', 'bench0'],
    ['ip', 'link', 'set', 'bench0', 'up'],
    ['ip', 'link', 'set', 'bench1', 'up'],
  ]) {
    await inSandbox(s, argv, 10_000);
  }
  await s.docker(['network', 'create', NET]);
  await s.docker(['run', '-d', '--name', 'web', '--network', NET, '--network-alias', 'www', '-p', '8080:80', '-p', '8081:81', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
  await s.docker(['run', '-d', '--name', 'client', '--network', NET, 'bb', 'sleep', '100000']);
  const pid = async (c: string) => Number((await s.docker(['inspect', '-f', '{{.State.Pid}}', c])).out);
  const webIp = (await s.docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${NET}").IPAddress}}`, 'web'])).out;
  const queries = join(s.sb!.dir, 'dns-queries.txt');
  writeFileSync(queries, 'web A\nwww A\nclient A\n');
  // the page is served before anything is timed
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await s.sb!.exec(['timeout', '2', 'busybox', 'wget', '-q', '-O', '/dev/null', `http://${HOST_ADDR}:8080/`]);
    if (r.code === 0) break;
    if (Date.now() > deadline) throw new Error(`published port 8080 never answered on ${s.title}: ${r.stderr}`);
    await sleep(200);
  }
  return { webPid: await pid('web'), clientPid: await pid('client'), webIp, queries };
}

/** `network create` + `network rm`, `n` pairs each, alternating. */
export async function measureNetCycle(slots: Slot[], n: number, res: NetResults): Promise<void> {
  const t = new Map<Slot, { c: number[]; r: number[]; pair: number[] }>(slots.map((s) => [s, { c: [], r: [], pair: [] }]));
  for (let i = 0; i < n; i++) {
    for (const s of turn(slots, i)) {
      if (res.failed('netCycle', s.key)) continue;
      try {
        const c = await s.docker(['network', 'create', `bn${i}`]);
        const r = await s.docker(['network', 'rm', `bn${i}`]);
        const x = t.get(s)!;
        x.c.push(c.ms);
        x.r.push(r.ms);
        x.pair.push(c.ms + r.ms);
      } catch (err) {
        res.fail('netCycle', s.key, err);
      }
    }
  }
  for (const [s, x] of t) {
    if (res.failed('netCycle', s.key) || x.pair.length === 0) continue;
    res.set('netCreate', s.key, summarize(x.c).median, summarize(x.c));
    res.set('netRm', s.key, summarize(x.r).median, summarize(x.r));
    res.set('netCycle', s.key, summarize(x.pair).median, summarize(x.pair));
  }
}

/** `docker run -d --network benchnet bb sleep`, `n` times each (alternating), then one untimed rm -f. */
export async function measureStart(slots: Slot[], n: number, res: NetResults): Promise<void> {
  const times = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  const ids = new Map<Slot, string[]>(slots.map((s) => [s, []]));
  for (let i = 0; i < n; i++) {
    for (const s of turn(slots, i)) {
      if (res.failed('start', s.key)) continue;
      try {
        const r = await s.docker(['run', '-d', '--network', NET, 'bb', 'sleep', '1000']);
        times.get(s)!.push(r.ms);
        ids.get(s)!.push(r.out);
      } catch (err) {
        res.fail('start', s.key, err);
      }
    }
  }
  for (const s of slots) {
    const list = ids.get(s)!;
    if (list.length) await s.docker(['rm', '-f', ...list], 300_000).catch((err: unknown) => res.fail('start', s.key, err));
    const xs = times.get(s)!;
    if (!res.failed('start', s.key) && xs.length) res.set('start', s.key, summarize(xs).median, summarize(xs));
  }
}

/**
 * dnsperf from the client container's network namespace against the embedded server (127.0.0.11): queries/s with
 * `dnsInFlight` outstanding, then the latency of each query at a fixed moderate rate (`-Q dnsLatencyQps -v`, each
 * answer's time printed: -v costs dnsperf too much to be on during the rate run; `-q 1` paces dnsperf itself).
 */
export async function measureDns(slots: Slot[], stages: Map<Slot, Stage>, plan: NetPlan, res: NetResults): Promise<void> {
  const qps = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  const lat = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  const dnsperf = (st: Stage, extra: string[]) => ['nsenter', '-t', String(st.clientPid), '-n', 'dnsperf', '-s', '127.0.0.11', '-d', st.queries, '-l', String(plan.seconds), '-c', '1', '-t', '2', ...extra];
  for (let i = 0; i < plan.rounds; i++) {
    for (const s of turn(slots, i)) {
      const st = stages.get(s);
      if (!st || res.failed('dnsQps', s.key)) continue;
      try {
        const rate = parseDnsperf((await inSandbox(s, dnsperf(st, ['-q', String(plan.dnsInFlight)]), (plan.seconds + 30) * 1000)).stdout);
        const one = parseDnsperf((await inSandbox(s, dnsperf(st, ['-q', String(plan.dnsInFlight), '-Q', String(plan.dnsLatencyQps), '-v']), (plan.seconds + 30) * 1000)).stdout);
        for (const [what, d] of [
          ['rate', rate],
          ['latency', one],
        ] as const) {
          if (d.completed < d.sent * 0.99) res.notes.push(`dns ${what} round ${i} on ${s.title}: ${d.sent - d.completed} of ${d.sent} queries lost`);
          if (Object.keys(d.badCodes).length) throw new Error(`unexpected answers: ${JSON.stringify(d.badCodes)}`);
        }
        qps.get(s)!.push(rate.qps);
        lat.get(s)!.push(...one.latenciesMs);
      } catch (err) {
        res.fail('dnsQps', s.key, err);
      }
    }
  }
  for (const s of slots) {
    const q = qps.get(s)!;
    const l = lat.get(s)!;
    if (res.failed('dnsQps', s.key) || q.length === 0 || l.length === 0) continue;
    res.set('dnsQps', s.key, summarize(q).median, summarize(q));
    res.set('dnsP50', s.key, percentile(l, 50));
    res.set('dnsP99', s.key, percentile(l, 99));
    res.notes.push(`dns latency on ${s.title}: ${l.length} queries at ${plan.dnsLatencyQps}/s`);
  }
}

/** Without dnsperf: `n` sequential busybox nslookups in the client container, timed by busybox `time` inside it. */
export async function measureDnsSequential(slots: Slot[], plan: NetPlan, res: NetResults): Promise<void> {
  const n = plan.seqLookups;
  const per = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  for (let i = 0; i < plan.rounds; i++) {
    for (const s of turn(slots, i)) {
      if (res.failed('dnsSeq', s.key)) continue;
      try {
        const loop = `time sh -c 'i=0; while [ $i -lt ${n} ]; do nslookup -type=a web 127.0.0.11 >/dev/null || exit 1; i=$((i+1)); done'`;
        const r = await s.sb!.docker(['exec', 'client', 'sh', '-c', loop], { timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`nslookup loop failed on ${s.title}: ${r.stderr}`);
        const m = /real\s+(\d+)m\s*([0-9.]+)s/.exec(r.stderr);
        if (!m) throw new Error(`no time(1) output: ${r.stderr}`);
        per.get(s)!.push(((Number(m[1]) * 60 + Number(m[2])) * 1000) / n);
      } catch (err) {
        res.fail('dnsSeq', s.key, err);
      }
    }
  }
  for (const [s, xs] of per) if (!res.failed('dnsSeq', s.key) && xs.length) res.set('dnsSeq', s.key, summarize(xs).median, summarize(xs));
}

/** A keep-alive HTTP server (the bench's own node) inside the web container's network namespace, on port 81. */
const KA_SERVER = "require('node:http').createServer((q, s) => s.end('<h1>hello from berth</h1>\\n')).listen(81)";

async function startKaServer(s: Slot, st: Stage): Promise<RunningCmd> {
  const srv = startCmd(['nsenter', '-t', String(s.sb!.nsPid), '-n', '-m', '-p', '--', 'nsenter', '-t', String(st.webPid), '-n', process.execPath, '-e', KA_SERVER], { timeoutMs: 30 * 60_000 });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await s.sb!.exec(['timeout', '2', 'busybox', 'wget', '-q', '-O', '/dev/null', `http://${HOST_ADDR}:8081/`]);
    if (r.code === 0) return srv;
    if (Date.now() > deadline) {
      srv.kill();
      throw new Error(`the keep-alive server never answered on ${s.title}: ${r.stderr}${srv.stderr()}`);
    }
    await sleep(200);
  }
}

/**
 * wrk from the sandbox host: to the published port at the host address, at loopback, and to the container's IP;
 * against busybox httpd (a process per request, as the issue asks) and against a keep-alive server, where the
 * network path weighs more.
 */
export async function measureHttp(slots: Slot[], stages: Map<Slot, Stage>, plan: NetPlan, res: NetResults): Promise<void> {
  const targets: [NetMeasureId, (st: Stage) => string][] = [
    ['httpPub', () => `http://${HOST_ADDR}:8080/`],
    ['httpLo', () => 'http://127.0.0.1:8080/'],
    ['httpDirect', (st) => `http://${st.webIp}:80/`],
    ['httpKaPub', () => `http://${HOST_ADDR}:8081/`],
    ['httpKaLo', () => 'http://127.0.0.1:8081/'],
    ['httpKaDirect', (st) => `http://${st.webIp}:81/`],
  ];
  const servers = new Map<Slot, RunningCmd>();
  const rps = new Map<string, number[]>();
  try {
    for (const s of slots) {
      const st = stages.get(s);
      if (!st) continue;
      try {
        servers.set(s, await startKaServer(s, st));
      } catch (err) {
        for (const id of ['httpKaPub', 'httpKaLo', 'httpKaDirect'] as const) res.fail(id, s.key, err);
      }
    }
    // untimed warm-up: the first requests to a fresh server (its JIT, the container's page cache) are the slowest,
    // and whichever target came first would pay for them
    for (const s of slots) {
      const st = stages.get(s);
      if (!st) continue;
      for (const [id, url] of targets) {
        if (res.failed(id, s.key)) continue;
        await inSandbox(s, ['wrk', '-t', '1', '-c', String(plan.httpConns), '-d', '1s', url(st)], 60_000).catch(() => undefined);
      }
    }
    for (let i = 0; i < plan.rounds; i++) {
      for (const s of turn(slots, i)) {
        const st = stages.get(s);
        if (!st) continue;
        for (const [id, url] of turn(targets, i)) {
          if (res.failed(id, s.key)) continue;
          try {
            const argv = ['wrk', '-t', '1', '-c', String(plan.httpConns), '-d', `${plan.seconds}s`, url(st)];
            const w = parseWrk((await inSandbox(s, argv, (plan.seconds + 30) * 1000)).stdout);
            if (w.errors > w.requests * 0.01) res.notes.push(`${id} round ${i} on ${s.title}: ${w.errors} errors in ${w.requests} requests`);
            const k = `${id} ${s.key}`;
            rps.set(k, [...(rps.get(k) ?? []), w.rps]);
          } catch (err) {
            res.fail(id, s.key, err);
          }
        }
      }
    }
  } finally {
    for (const srv of servers.values()) {
      srv.kill();
      await srv.done;
    }
  }
  for (const s of slots) {
    for (const [id] of targets) {
      const xs = rps.get(`${id} ${s.key}`) ?? [];
      if (!res.failed(id, s.key) && xs.length) res.set(id, s.key, summarize(xs).median, summarize(xs));
    }
    for (const [share, pubId, directId] of [
      ['httpPubShare', 'httpPub', 'httpDirect'],
      ['httpKaPubShare', 'httpKaPub', 'httpKaDirect'],
      ['httpLoShare', 'httpLo', 'httpDirect'],
      ['httpKaLoShare', 'httpKaLo', 'httpKaDirect'],
    ] as const) {
      const pub = res.get(pubId, s.key);
      const direct = res.get(directId, s.key);
      if (pub !== undefined && direct !== undefined && direct > 0) res.set(share, s.key, pub / direct);
    }
  }
}

/** iperf3 between the two containers: server in web's network namespace, client in client's. */
export async function measureTcp(slots: Slot[], stages: Map<Slot, Stage>, plan: NetPlan, res: NetResults): Promise<void> {
  const gbps = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  for (let i = 0; i < plan.rounds; i++) {
    for (const s of turn(slots, i)) {
      const st = stages.get(s);
      if (!st || res.failed('tcp', s.key)) continue;
      try {
        const server = s.sb!.exec(['nsenter', '-t', String(st.webPid), '-n', 'iperf3', '-s', '-1', '-p', '5201'], { timeoutMs: (plan.seconds + 30) * 1000 });
        let out = '';
        for (let attempt = 0; ; attempt++) {
          await sleep(200);
          const c = await s.sb!.exec(['nsenter', '-t', String(st.clientPid), '-n', 'iperf3', '-c', st.webIp, '-p', '5201', '-t', String(plan.seconds), '-J'], {
            timeoutMs: (plan.seconds + 30) * 1000,
          });
          if (c.code === 0) {
            out = c.stdout;
            break;
          }
          if (attempt >= 10) throw new Error(clip(describeCmd(c), 3000));
        }
        const srv = await server;
        if (srv.code !== 0) throw new Error(clip(describeCmd(srv), 3000));
        gbps.get(s)!.push(parseIperf3(out));
      } catch (err) {
        res.fail('tcp', s.key, err);
      }
    }
  }
  for (const [s, xs] of gbps) if (!res.failed('tcp', s.key) && xs.length) res.set('tcp', s.key, summarize(xs).median, summarize(xs));
}
