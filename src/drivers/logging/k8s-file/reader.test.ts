import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { LogEntry, LogReadOptions } from '../contract.ts';
import { FakeConmonLog } from './fake-conmon.ts';
import { syncLinks } from './files.ts';
import { K8sFileLogs } from './k8s-file.ts';
import { readLog } from './reader.ts';

async function all(path: string, opts: LogReadOptions = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLog(path, opts)) out.push(e);
  return out;
}
const text = (es: LogEntry[]) => es.map((e) => `${e.stream}:${e.data.toString()}`).join('');

describe('reading logs', () => {
  let dir = '';
  let n = 0;
  const fresh = async () => {
    const d = `${dir}/${++n}`;
    await mkdir(d);
    return new FakeConmonLog(`${d}/ctr.log`);
  };
  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-logread-`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Three files: "a1 a2 | b1 (b2 in two pieces) | c1 [stderr e1] c2-unfinished". */
  async function threeFiles() {
    const log = await fresh();
    const times: bigint[] = [];
    times.push(await log.write('stdout', 'a1'));
    times.push(await log.write('stdout', 'a2'));
    await syncLinks(log.path, 5);
    await log.rotate();
    times.push(await log.write('stdout', 'b1'));
    times.push(await log.write('stdout', 'b2-', true));
    await log.write('stdout', 'end');
    await syncLinks(log.path, 5);
    await log.rotate();
    times.push(await log.write('stdout', 'c1'));
    times.push(await log.write('stderr', 'e1'));
    times.push(await log.write('stdout', 'c2-unfinished', true));
    await syncLinks(log.path, 5);
    return { log, times };
  }

  it('reads all files in order, joining partial lines, keeping an unfinished one', async () => {
    const { log, times } = await threeFiles();
    const es = await all(log.path);
    assert.equal(text(es), 'stdout:a1\nstdout:a2\nstdout:b1\nstdout:b2-end\nstdout:c1\nstderr:e1\nstdout:c2-unfinished');
    assert.equal(es[3]?.timeNs, times[3], 'a joined line has its first piece\'s time');
    assert.equal(es.at(-1)?.partial, true);
    assert.match(es[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  const cases: { name: string; opts: (t: bigint[]) => LogReadOptions; want: string }[] = [
    { name: 'tail 2', opts: () => ({ tail: 2 }), want: 'stderr:e1\nstdout:c2-unfinished' },
    { name: 'tail 4 (across a file, a joined line counts once)', opts: () => ({ tail: 4 }), want: 'stdout:b2-end\nstdout:c1\nstderr:e1\nstdout:c2-unfinished' },
    { name: 'tail 0', opts: () => ({ tail: 0 }), want: '' },
    { name: 'tail all', opts: () => ({ tail: 'all' }), want: 'stdout:a1\nstdout:a2\nstdout:b1\nstdout:b2-end\nstdout:c1\nstderr:e1\nstdout:c2-unfinished' },
    { name: 'stderr only', opts: () => ({ stdout: false }), want: 'stderr:e1\n' },
    { name: 'tail counts before the stream filter', opts: () => ({ tail: 2, stderr: false }), want: 'stdout:c2-unfinished' },
    { name: 'since', opts: (t) => ({ sinceNs: t[4] }), want: 'stdout:c1\nstderr:e1\nstdout:c2-unfinished' },
    { name: 'until', opts: (t) => ({ untilNs: t[1] }), want: 'stdout:a1\nstdout:a2\n' },
    { name: 'since and until', opts: (t) => ({ sinceNs: t[1], untilNs: t[2] }), want: 'stdout:a2\nstdout:b1\n' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { log, times } = await threeFiles();
      assert.equal(text(await all(log.path, c.opts(times))), c.want);
    });
  }

  it('reads nothing from a missing log', async () => {
    assert.deepEqual(await all(`${dir}/nope/ctr.log`), []);
  });

  it('without --follow reads the files as listed: lines written meanwhile are not added (--tail 1 is one line)', async () => {
    const log = await fresh();
    await log.write('stdout', 'one');
    await log.write('stdout', 'two');
    const got: string[] = [];
    for await (const e of readLog(log.path, { tail: 1 })) {
      // the container goes on writing while the reader runs
      if (got.push(e.data.toString()) === 1) await log.write('stdout', 'three');
    }
    assert.deepEqual(got, ['two\n']);
  });

  it('skips garbage lines', async () => {
    const log = await fresh();
    await log.write('stdout', 'ok1');
    await writeFile(log.path, 'not a record\n', { flag: 'a' });
    await log.write('stdout', 'ok2');
    assert.equal(text(await all(log.path)), 'stdout:ok1\nstdout:ok2\n');
  });

  it('follows appends and rotations, shows unfinished lines when caught up, ends when stopped', async () => {
    const log = await fresh();
    await log.write('stdout', 'before');
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const got: string[] = [];
    let arrived: (() => void) | undefined;
    const waitFor = (s: string) =>
      new Promise<void>((resolve) => {
        const check = () => (got.join('').includes(s) ? resolve() : (arrived = check));
        check();
      });
    const reading = (async () => {
      for await (const e of readLog(log.path, { follow: true, tail: 1, stopped })) {
        got.push(`${e.partial ? '~' : ''}${e.data.toString()}`);
        arrived?.();
      }
    })();
    await waitFor('before\n');
    await log.write('stdout', 'one');
    await waitFor('one\n');
    await log.write('stdout', 'progress', true);
    await waitFor('~progress');
    await log.write('stdout', ' done');
    await waitFor(' done\n');
    // conmon rotates: the old file is kept by its link, the reader goes over to the new one
    await syncLinks(log.path, 3);
    await log.write('stdout', 'last of old');
    await log.rotate();
    await log.write('stdout', 'first of new');
    await waitFor('first of new\n');
    await log.write('stderr', 'final');
    stop();
    await reading;
    assert.deepEqual(got, ['before\n', 'one\n', '~progress', ' done\n', 'last of old\n', 'first of new\n', 'final\n']);
  });

  it('follows with tail 0 from the end, and stops on abort', async () => {
    const log = await fresh();
    await log.write('stdout', 'old');
    const ac = new AbortController();
    const got: string[] = [];
    const reading = (async () => {
      for await (const e of readLog(log.path, { follow: true, tail: 0, signal: ac.signal })) {
        got.push(e.data.toString());
        if (got.length === 1) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await log.write('stdout', 'new');
    await reading;
    assert.deepEqual(got, ['new\n']);
  });

  it('the tracker rotates through conmon\'s reopen at max-size and keeps max-file', async () => {
    const log = await fresh();
    const logs = new K8sFileLogs();
    assert.deepEqual(await logs.prepare(log.path, { maxSize: 100, maxFile: 2 }), { logSizeMax: 128 * 1024 * 1024 });
    const tracker = logs.track(log.path, { maxSize: 100, maxFile: 2 }, () => log.reopen());
    for (const [i, g] of ['gen1', 'gen2', 'gen3'].entries()) {
      await log.write('stdout', `${g} ${'x'.repeat(80)}`);
      // full: the rotator asks conmon to reopen, which happens in order with its writes
      for (let n = 0; n < 200 && log.reopens <= i; n++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(log.reopens, i + 1, `rotated after ${g}`);
    }
    await tracker.close({ stopped: true });
    assert.equal(text(await all(log.path)), `stdout:gen3 ${'x'.repeat(80)}\n`, 'max-file 2: the last full file and the new empty one');
    assert.equal((await stat(log.path)).size, 0);
    await logs.remove(log.path);
    assert.deepEqual(await all(log.path), []);
  });
});
