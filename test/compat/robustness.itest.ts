import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type RawExchange, parseRawResponse, rawExchange } from '../support/http-unix.ts';
import { sleep } from '../support/proc.ts';
import { useSandbox } from './helpers.ts';
import { type Case, makeCases } from './robustness-cases.ts';

/**
 * Thousands of malformed requests on berthd's socket (bounded in count and time): it must keep answering
 * /_ping, refuse every bad API request with a 4xx and a JSON message, never answer 5xx, create nothing, and not
 * leak file descriptors. BERTH_ROBUSTNESS_SEED replays a run; BERTH_ROBUSTNESS_COUNT changes its size.
 */
const sandbox = useSandbox({ label: 'robust', debug: false });
const SEED = Number(process.env.BERTH_ROBUSTNESS_SEED ?? Date.now() % 1_000_000);
const COUNT = Number(process.env.BERTH_ROBUSTNESS_COUNT ?? 3000);
const TIME_LIMIT_MS = 150_000;

function judge(c: Case, x: RawExchange): string | undefined {
  const res = parseRawResponse(x.response);
  if (c.kind === 'pipelined') {
    return res?.status === 200 ? undefined : `first answer should be 200 to GET /_ping, got ${res?.status ?? 'nothing'}`;
  }
  if (!res) {
    if (x.timedOut && !(c.kind === 'proto' && c.halfClose)) return 'no answer and the connection stayed open';
    if (c.kind === 'api') return `connection ${x.timedOut ? 'hung' : 'closed'} without an answer`;
    return undefined;
  }
  // 501 (transfer coding) and 505 (HTTP version) are the HTTP-correct answers to broken framing
  if (c.kind === 'proto' && (res.status === 501 || res.status === 505)) return undefined;
  if (res.status >= 500) return `server error ${res.status}: ${res.body.slice(0, 300)}`;
  if (res.status < 400) return `accepted (${res.status}): ${res.body.slice(0, 300)}`;
  if (c.kind === 'proto') return undefined;
  if (res.headers['content-type'] !== 'application/json') return `${res.status} with Content-Type ${JSON.stringify(res.headers['content-type'])}, want application/json`;
  if (!res.complete) return `${res.status}: body incomplete`;
  try {
    const body = JSON.parse(res.body) as { message?: unknown };
    if (typeof body.message !== 'string' || body.message === '') return `${res.status}: JSON without a message: ${res.body.slice(0, 200)}`;
  } catch {
    return `${res.status}: body is not JSON: ${res.body.slice(0, 200)}`;
  }
  return undefined;
}

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

describe('robustness', () => {
  test(`malformed requests (seed ${SEED}, up to ${COUNT})`, { timeout: TIME_LIMIT_MS + 60_000 }, async () => {
    const sb = sandbox();
    const pid = sb.daemonPid!;
    assert.ok(pid, 'daemon running');
    const fdsBefore = fdCount(pid);
    const cases = makeCases(SEED, COUNT);
    const failures: string[] = [];
    const started = Date.now();
    let next = 0;
    let sent = 0;
    let down: string | undefined;
    const tally = { api: 0, proto: 0, pipelined: 0, timeouts: 0 };
    // a few connections at a time, as clients do; a ping every 100 requests
    const worker = async () => {
      while (next < cases.length && !down && Date.now() - started < TIME_LIMIT_MS) {
        const i = next++;
        const c = cases[i]!;
        const x = await rawExchange(sb.socket, c.pieces, { halfClose: c.halfClose, timeoutMs: c.kind === 'api' ? 5000 : 2000 });
        sent += 1;
        tally[c.kind] += 1;
        if (x.timedOut) tally.timeouts += 1;
        const bad = judge(c, x);
        if (bad) failures.push(`#${i} ${c.desc}\n    → ${bad}`);
        if (sent % 100 === 0 && !(await sb.ping())) down = `after case #${i} (${c.desc})`;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    if (down) assert.fail(`berthd stopped answering /_ping ${down}; seed ${SEED}\n${sb.daemonLogTail()}`);
    const elapsed = Date.now() - started;
    console.log(`robustness: ${sent} requests in ${elapsed} ms (api ${tally.api}, proto ${tally.proto}, pipelined ${tally.pipelined}, timeouts ${tally.timeouts}); seed ${SEED}`);
    assert.ok(sent >= Math.min(COUNT, 500), `only ${sent} requests in ${TIME_LIMIT_MS} ms`);

    assert.ok(await sb.ping(), `berthd must still answer /_ping\n${sb.daemonLogTail()}`);
    assert.equal(sb.daemonPid, pid, 'the same daemon process is still running');
    assert.equal(failures.length, 0, `${failures.length} bad answers (seed ${SEED}); the first ones:\n${failures.slice(0, Number(process.env.BERTH_ROBUSTNESS_SHOW ?? 25)).join('\n')}`);

    // nothing was created by any of it
    assert.equal(await sb.dockerOk(['ps', '-aq']), '', 'no containers');
    assert.equal(await sb.dockerOk(['volume', 'ls', '-q']), '', 'no volumes');
    const nets = (await sb.dockerOk(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter(Boolean);
    assert.deepEqual(nets.filter((n) => !['bridge', 'host', 'none'].includes(n)), [], 'no networks');

    // connections were all released
    await sleep(1000);
    const fdsAfter = fdCount(pid);
    assert.ok(fdsAfter <= fdsBefore + 20, `file descriptors grew from ${fdsBefore} to ${fdsAfter}`);

    // and the daemon still works
    const r = await sb.docker(['run', '--rm', 'bb', 'echo', 'still-fine']);
    assert.equal(r.stdout, 'still-fine\n', sb.explain(r));
  });
});
