import { sleep } from '../../test/support/proc.ts';
import { breakdown, sampleEngineMemory } from './memory.ts';
import type { Results } from './results.ts';
import type { Slot } from './slot.ts';
import { perContainer, summarize } from './stats.ts';

/**
 * The measurements. Timed commands alternate between the daemons (berth, docker, docker, berth, …) so that load
 * from elsewhere on the machine falls on both alike. A daemon that fails a step gets an error for that measure
 * and stays in the later ones.
 */

/** Slots in alternating order: round 0 as given, round 1 reversed, … */
function turn(slots: Slot[], round: number): Slot[] {
  return round % 2 === 0 ? slots : [...slots].reverse();
}

/** 1. `docker run --rm bb true`, `n` times each. */
export async function measureRun(slots: Slot[], n: number, res: Results): Promise<void> {
  const times = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  for (let i = 0; i < n; i++) {
    for (const s of turn(slots, i)) {
      if (res.failed('run', s.key)) continue;
      try {
        times.get(s)!.push((await s.docker(['run', '--rm', 'bb', 'true'])).ms);
      } catch (err) {
        res.fail('run', s.key, err);
      }
    }
  }
  for (const [s, xs] of times) if (!res.failed('run', s.key) && xs.length > 0) res.set('run', s.key, summarize(xs).median, summarize(xs));
}

/** 3a. Engine memory with no containers, after the runs above (so warmed up) and a pause. */
export async function measureIdleMemory(slots: Slot[], res: Results): Promise<void> {
  await sleep(3000);
  for (const s of slots) {
    try {
      const ps = await s.docker(['ps', '-aq']);
      if (ps.out !== '') throw new Error(`expected no containers before the idle reading, found: ${ps.out.split('\n').length}`);
      const m = await sampleEngineMemory(s.sb!);
      (res.memory.idle ??= {})[s.key] = m;
      res.set('rssIdle', s.key, m.rssKb);
      res.set('pssIdle', s.key, m.pssKb);
    } catch (err) {
      res.fail('rssIdle', s.key, err);
    }
  }
}

/** 2 and 3b. `n` × `run -d bb sleep 1000` (summed), memory with them running, then one `rm -f` of all ids. */
export async function measureBatch(slots: Slot[], n: number, res: Results): Promise<void> {
  const ids = new Map<Slot, string[]>(slots.map((s) => [s, []]));
  const runMs = new Map<Slot, number>(slots.map((s) => [s, 0]));
  for (let i = 0; i < n; i++) {
    for (const s of turn(slots, i)) {
      if (res.failed('batch', s.key)) continue;
      try {
        const r = await s.docker(['run', '-d', 'bb', 'sleep', '1000']);
        if (!/^[0-9a-f]{64}$/.test(r.out)) throw new Error(`run -d printed ${JSON.stringify(r.out)}, not a container id`);
        ids.get(s)!.push(r.out);
        runMs.set(s, runMs.get(s)! + r.ms);
      } catch (err) {
        res.fail('batch', s.key, err);
      }
    }
  }
  await sleep(2000);
  for (const s of slots) {
    if (res.failed('batch', s.key)) continue;
    try {
      const running = (await s.docker(['ps', '-q', '--no-trunc'])).out.split('\n').filter(Boolean);
      if (running.length !== n) throw new Error(`expected ${n} running containers, ps shows ${running.length}`);
      const m = await sampleEngineMemory(s.sb!);
      (res.memory.loaded ??= {})[s.key] = m;
      res.set('rss50', s.key, m.rssKb);
      res.set('pss50', s.key, m.pssKb);
      res.set('rssPer', s.key, perContainer(res.get('rssIdle', s.key), m.rssKb, n));
      res.set('pssPer', s.key, perContainer(res.get('pssIdle', s.key), m.pssKb, n));
      res.notes.push(`${s.title} with ${n} containers: ${breakdown(m)}`);
    } catch (err) {
      res.fail('rss50', s.key, err);
    }
  }
  for (const s of turn(slots, 1)) {
    const list = ids.get(s)!;
    if (list.length === 0) continue;
    try {
      const rm = await s.docker(['rm', '-f', ...list], 300_000);
      const left = (await s.docker(['ps', '-aq'])).out;
      if (left !== '') throw new Error(`rm -f left containers: ${left.split('\n').length}`);
      if (res.failed('batch', s.key)) continue;
      res.set('batchRun', s.key, runMs.get(s)!);
      res.set('batchRm', s.key, rm.ms);
      res.set('batch', s.key, runMs.get(s)! + rm.ms);
    } catch (err) {
      res.fail('batch', s.key, err);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; the first error stops new work and is thrown. */
async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

/** 4. `docker ps -a` with `n` created (not started) containers, `runs` times each; then removes them. */
export async function measurePs(slots: Slot[], n: number, runs: number, res: Results): Promise<void> {
  const ids = new Map<Slot, string[]>(slots.map((s) => [s, []]));
  for (const s of slots) {
    try {
      const t0 = performance.now();
      await pool(
        Array.from({ length: n }, (_, i) => i),
        4,
        async () => {
          ids.get(s)!.push((await s.docker(['create', 'bb', 'true'])).out);
        },
      );
      res.set('psCreate', s.key, performance.now() - t0);
      const lines = (await s.docker(['ps', '-a'])).out.split('\n').length - 1;
      if (lines !== n) throw new Error(`expected ${n} containers in ps -a, it lists ${lines}`);
    } catch (err) {
      res.fail('ps', s.key, err);
    }
  }
  const times = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  for (let i = 0; i < runs; i++) {
    for (const s of turn(slots, i)) {
      if (res.failed('ps', s.key)) continue;
      try {
        times.get(s)!.push((await s.docker(['ps', '-a'])).ms);
      } catch (err) {
        res.fail('ps', s.key, err);
      }
    }
  }
  for (const [s, xs] of times) if (!res.failed('ps', s.key) && xs.length > 0) res.set('ps', s.key, summarize(xs).median, summarize(xs));
  for (const s of slots) {
    const list = ids.get(s)!;
    for (let i = 0; i < list.length; i += 100) {
      try {
        await s.docker(['rm', '-f', ...list.slice(i, i + 100)], 300_000);
      } catch (err) {
        res.fail('ps', s.key, err);
      }
    }
  }
}
