/**
 * ConmonRuntime against the real conmon, crun and runc. Needs root. The file re-runs itself inside a throwaway
 * network namespace and a private mount namespace (see itest-sandbox.ts); everything it creates lives under one
 * temporary directory and a per-run cgroup name, and is removed at the end — a leak check fails the run otherwise.
 *
 *   ./node_modules/.bin/node --test src/drivers/runtime/conmon/conmon.itest.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, symlink, writeFile, copyFile, chmod } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { backgroundCtx } from '../../../common/ctx.ts';
import { buildSpec, type SpecOptions } from '../../../domain/oci-spec/spec.ts';
import { probeRuntimes, type ProbeResult } from '../../../system/oci-runtime/probe.ts';
import type { AttachStreams } from '../contract.ts';
import { K8sFileLogs } from '../../logging/k8s-file/k8s-file.ts';
import { logFiles } from '../../logging/k8s-file/files.ts';
import { ConmonRuntime } from './conmon-runtime.ts';
import { inSandbox, runTestFileInSandbox } from './itest-sandbox.ts';

const ctx = backgroundCtx;

if (!inSandbox()) {
  it('conmon runtime integration (in a sandbox)', { timeout: 300_000 }, async () => {
    assert.equal(process.getuid?.(), 0, 'needs root');
    assert.equal(await runTestFileInSandbox(new URL(import.meta.url).pathname), 0);
  });
} else {
  const run = randomBytes(4).toString('hex');
  const cgroupParent = `berth-itest-${run}`;
  let tmp = '';
  let rootfs = '';
  let probe: ProbeResult;
  let rt: ConmonRuntime;

  before(async () => {
    tmp = await mkdtemp('/tmp/berth-rt-');
    rootfs = `${tmp}/rootfs`;
    await buildRootfs(rootfs);
    probe = await probeRuntimes(ctx, { hugetlbMountDir: `${tmp}/cgroup-hugetlb` });
    rt = new ConmonRuntime({ stateRoot: `${tmp}/state` });
  });

  after(async () => {
    // leak check first (it must not depend on the cleanup), then the cleanup, then fail if something leaked
    const leftovers = await conmonPidsUnder(tmp);
    const listed: string[] = [];
    for (const r of probe?.runtimes.filter((x) => x.usable) ?? []) {
      for (const id of await rt.cli(r.name).list(ctx)) {
        listed.push(`${r.name}:${id}`);
        await rt.cli(r.name).delete(ctx, id);
      }
    }
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await removeCgroups(cgroupParent, probe?.hugetlbFixed ? `${tmp}/cgroup-hugetlb` : undefined);
    if (probe?.hugetlbFixed) await exec('umount', [`${tmp}/cgroup-hugetlb`]);
    await rm(tmp, { recursive: true, force: true });
    assert.deepEqual(leftovers, [], 'conmon processes left behind');
    assert.deepEqual(listed, [], 'runtime state left behind');
  });

  it('probes the runtimes: crun works once hugetlb is bound to v1, runc works', () => {
    const crun = probe.runtimes.find((r) => r.name === 'crun');
    const runc = probe.runtimes.find((r) => r.name === 'runc');
    assert.ok(runc?.usable, runc?.reason ?? 'runc missing');
    assert.ok(crun?.usable, crun?.reason ?? 'crun missing');
    assert.equal(probe.preferred, 'crun');
    assert.deepEqual(probe.v2Controllers, []);
  });

  for (const runtime of ['crun', 'runc']) {
    describe(runtime, { timeout: 60_000 }, () => {
      let n = 0;
      /** Writes a bundle and creates the runtime dir of a new container. */
      async function prepare(opts: Partial<SpecOptions> & { args: string[] }) {
        const id = `${runtime}-${run}-${++n}`;
        const bundle = `${tmp}/bundles/${id}`;
        const runtimeDir = `${tmp}/run/${id}`;
        await mkdir(bundle, { recursive: true });
        await mkdir(runtimeDir, { recursive: true });
        const spec = buildSpec({
          id,
          rootfs,
          env: ['PATH=/bin', 'HOSTNAME=t'],
          user: { uid: 0, gid: 0 },
          hostname: 't',
          cgroupsPath: `${cgroupParent}/${id}`,
          maxNofile: probe.nofileHardLimit,
          ...opts,
        });
        await writeFile(`${bundle}/config.json`, JSON.stringify(spec));
        return { id, bundle, runtimeDir, logPath: `${runtimeDir}/ctr.log`, spec };
      }
      async function create(
        opts: Partial<SpecOptions> & { args: string[] },
        o: { openStdin?: boolean; stdinOnce?: boolean; logSizeMax?: number } = {},
      ) {
        const c = await prepare(opts);
        const created = await rt.create(ctx, {
          id: c.id,
          bundle: c.bundle,
          runtimeDir: c.runtimeDir,
          logPath: c.logPath,
          logSizeMax: o.logSizeMax ?? 0,
          tty: opts.tty ?? false,
          openStdin: o.openStdin ?? false,
          stdinOnce: o.stdinOnce,
          runtimePath: runtime,
        });
        return { ...c, ...created };
      }
      async function remove(id: string) {
        await rt.delete(ctx, id, runtime);
        assert.equal(await rt.state(ctx, id, runtime), undefined);
      }

      it('runs echo: output through attach, the log file, exit code 0', async () => {
        const c = await create({ args: ['echo', 'hello'] });
        assert.ok(c.pid > 0 && c.conmonPid > 0);
        assert.equal((await rt.state(ctx, c.id, runtime))?.status, 'created');
        const s = await rt.attach(ctx, c.id, c.runtimeDir);
        const out = collect(s);
        await rt.start(ctx, c.id, runtime);
        assert.equal(await rt.waitExit(c.id, c.runtimeDir), 0);
        assert.deepEqual(await out, { stdout: 'hello\n', stderr: '' });
        assert.match(await readFile(c.logPath, 'utf8'), /^\S+ stdout F hello\n$/);
        assert.equal((await rt.state(ctx, c.id, runtime))?.status, 'stopped');
        await remove(c.id);
      });

      it('separates stderr and reports exit code 3', async () => {
        const c = await create({ args: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
        const s = await rt.attach(ctx, c.id, c.runtimeDir);
        const out = collect(s);
        await rt.start(ctx, c.id, runtime);
        assert.equal(await rt.waitExit(c.id, c.runtimeDir), 3);
        assert.deepEqual(await out, { stdout: 'out\n', stderr: 'err\n' });
        assert.equal(await rt.readExit(c.id, c.runtimeDir), 3);
        const entries: string[] = [];
        for await (const e of new K8sFileLogs().read(c.logPath, {})) entries.push(`${e.stream}:${e.data.toString()}`);
        assert.deepEqual(entries.sort(), ['stderr:err\n', 'stdout:out\n']);
        await remove(c.id);
      });

      it('rotates its log through reopenLog at max-size and keeps max-file files', async () => {
        const logs = new K8sFileLogs();
        const cfg = { maxSize: 2000, maxFile: 2 };
        // 10 bursts of 20 lines (~1 KB each): the rotations come at about max-size
        const script = 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.02; done; true';
        const c = await prepare({ args: ['sh', '-c', script] });
        const { logSizeMax } = await logs.prepare(c.logPath, cfg);
        assert.ok(logSizeMax > 100 * cfg.maxSize, 'conmon\'s own limit is only a backstop');
        await rt.create(ctx, {
          id: c.id,
          bundle: c.bundle,
          runtimeDir: c.runtimeDir,
          logPath: c.logPath,
          logSizeMax,
          tty: false,
          openStdin: false,
          runtimePath: runtime,
        });
        const tracker = logs.track(c.logPath, cfg, () => rt.reopenLog(c.id, c.runtimeDir));
        const following: string[] = [];
        const exited = rt.waitExit(c.id, c.runtimeDir);
        const follow = (async () => {
          for await (const e of logs.read(c.logPath, { follow: true, stopped: exited })) following.push(e.data.toString());
        })();
        await rt.start(ctx, c.id, runtime);
        assert.equal(await exited, 0);
        await follow;
        await tracker.close({ stopped: true });
        const files = await logFiles(c.logPath);
        assert.equal(files.length, 2, 'max-file files are kept');
        assert.ok(files[0]!.size >= 2000 && files[0]!.size < 8000, `the rotated file is about max-size: ${files[0]!.size} bytes`);
        const kept: string[] = [];
        for await (const e of logs.read(c.logPath, {})) kept.push(e.data.toString());
        assert.equal(kept.at(-1), 'line-199\n');
        assert.ok(kept.length < 200 && kept.length > 20, `${kept.length} lines kept`);
        assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => `line-${200 - kept.length + i}\n`));
        // a follower reads across rotations, in order (it may miss a file pruned before it got there)
        assert.equal(following.at(-1), 'line-199\n');
        const nums = following.map((l) => Number(l.slice(5)));
        assert.ok(nums.every((x, i) => i === 0 || x > nums[i - 1]!), 'in order, no repeats');
        assert.ok(following.length >= kept.length);
        await remove(c.id);
      });

      it('loses no line of a burst far faster than the rotation (20000 lines, 1k files)', async () => {
        const logs = new K8sFileLogs();
        const cfg = { maxSize: 1000, maxFile: 100_000 };
        // the pause keeps the container up while conmon works through its pipe (at the exit it drains the rest
        // into the current file without reading its ctl FIFO)
        const c = await prepare({ args: ['sh', '-c', 'seq 1 20000; sleep 0.5'] });
        const { logSizeMax } = await logs.prepare(c.logPath, cfg);
        await rt.create(ctx, { id: c.id, bundle: c.bundle, runtimeDir: c.runtimeDir, logPath: c.logPath, logSizeMax, tty: false, openStdin: false, runtimePath: runtime });
        const tracker = logs.track(c.logPath, cfg, () => rt.reopenLog(c.id, c.runtimeDir));
        const exited = rt.waitExit(c.id, c.runtimeDir);
        await rt.start(ctx, c.id, runtime);
        assert.equal(await exited, 0);
        await tracker.close({ stopped: true });
        const got: string[] = [];
        for await (const e of logs.read(c.logPath, {})) got.push(e.data.toString().trimEnd());
        assert.equal(got.length, 20000);
        assert.ok(got.every((l, i) => l === String(i + 1)), 'every line, in order');
        const files = await logFiles(c.logPath);
        const sizes = files.map((f) => f.size);
        // how many depends on how soon the daemon sees the writes (on a busy machine conmon writes ~1 MB first)
        assert.ok(files.length >= 2, `rotated: ${files.length} files, the biggest ${Math.max(...sizes)} bytes`);
        assert.ok(sizes.slice(0, -1).every((n) => n >= cfg.maxSize), 'rotated once full');
        await remove(c.id);
        await assert.rejects(rt.reopenLog(c.id, c.runtimeDir), /cannot reopen the log of container/);
      });

      const failures: { args: string[]; err: RegExp; exit: string }[] = [
        { args: ['/nonexistent'], err: /exec: "\/nonexistent": stat \/nonexistent: no such file or directory/, exit: '127' },
        { args: ['nonexistent'], err: /exec: "nonexistent": executable file not found in \$PATH/, exit: '127' },
        { args: ['/etc'], err: /exec: "\/etc": permission denied/, exit: '126' },
      ];
      for (const f of failures) {
        it(`fails to create ${f.args[0]} with the runtime's text (CLI exit ${f.exit}) and leaves nothing`, async () => {
          const c = await prepare({ args: f.args });
          await assert.rejects(
            rt.create(ctx, {
              id: c.id,
              bundle: c.bundle,
              runtimeDir: c.runtimeDir,
              logPath: c.logPath,
              logSizeMax: 0,
              tty: false,
              openStdin: false,
              runtimePath: runtime,
            }),
            (err: Error) => {
              assert.equal(err.name, 'InvalidArgumentError');
              assert.match(err.message, new RegExp(`^failed to create shim task: OCI runtime create failed: ${runtime} create failed: unable to start container process: `));
              assert.match(err.message, /: unknown$/);
              assert.match(err.message, f.err);
              return true;
            },
          );
          assert.equal(await rt.state(ctx, c.id, runtime), undefined);
          assert.deepEqual(await conmonPidsUnder(c.runtimeDir), []);
          assert.equal(await rt.readExit(c.id, c.runtimeDir), undefined);
        });
      }

      it('leaves nothing behind when a create is aborted', async () => {
        const c = await prepare({ args: ['sleep', '30'] });
        const ac = new AbortController();
        const creating = rt.create(
          { ...ctx, signal: ac.signal },
          { id: c.id, bundle: c.bundle, runtimeDir: c.runtimeDir, logPath: c.logPath, logSizeMax: 0, tty: false, openStdin: false, runtimePath: runtime },
        );
        setTimeout(() => ac.abort(), 5);
        await assert.rejects(creating);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(await rt.state(ctx, c.id, runtime), undefined);
        assert.deepEqual(await conmonPidsUnder(c.runtimeDir), []);
      });

      it('pipes stdin and closes it (docker run -i)', async () => {
        const c = await create({ args: ['sh', '-c', 'cat; echo eof'] }, { openStdin: true });
        const s = await rt.attach(ctx, c.id, c.runtimeDir);
        const out = collect(s);
        await rt.start(ctx, c.id, runtime);
        s.write(Buffer.from('abc\n'));
        s.write(Buffer.alloc(100_000, 'x'));
        s.closeStdin();
        assert.equal(await rt.waitExit(c.id, c.runtimeDir), 0);
        const o = await out;
        assert.equal(o.stdout, `abc\n${'x'.repeat(100_000)}eof\n`);
        await remove(c.id);
      });

      it('runs a TTY: resize, input, output on stdout with CRLF, exit code', async () => {
        const c = await create({ args: ['sh'], tty: true, consoleSize: { height: 24, width: 80 } }, { openStdin: true });
        const s = await rt.attach(ctx, c.id, c.runtimeDir);
        let stdout = '';
        let stderr = '';
        const closed = new Promise<void>((r) => s.onClose(r));
        const seen = (re: RegExp) =>
          new Promise<void>((resolve) => {
            const t = setInterval(() => {
              if (re.test(stdout)) {
                clearInterval(t);
                resolve();
              }
            }, 10);
          });
        s.onData((stream, d) => {
          if (stream === 1) stdout += d.toString();
          else stderr += d.toString();
        });
        await rt.start(ctx, c.id, runtime);
        s.write(Buffer.from('stty size; tty\n'));
        await seen(/24 80\r\n\/dev\/(pts\/\d+|console)\r\n/);
        await rt.resize(c.id, c.runtimeDir, 30, 100);
        s.write(Buffer.from('stty size\n'));
        await seen(/30 100\r\n/);
        s.write(Buffer.from('exit 5\n'));
        assert.equal(await rt.waitExit(c.id, c.runtimeDir), 5);
        await closed;
        assert.equal(stderr, '');
        await remove(c.id);
      });

      it('execs with output and exit code, in a TTY, and reports a missing executable', async () => {
        const c = await create({ args: ['sleep', '30'] });
        await rt.start(ctx, c.id, runtime);
        const base = c.spec.process;
        const e1 = await rt.exec(ctx, {
          containerId: c.id,
          execId: `e1-${run}`,
          bundle: c.bundle,
          runtimeDir: c.runtimeDir,
          runtimePath: runtime,
          process: { ...base, args: ['sh', '-c', 'echo out; echo err >&2; exit 7'] },
          tty: false,
          openStdin: false,
        });
        assert.ok(e1.pid > 0);
        const o1 = collect(e1.streams);
        assert.equal(await e1.exit, 7);
        assert.deepEqual(await o1, { stdout: 'out\n', stderr: 'err\n' });

        const e2 = await rt.exec(ctx, {
          containerId: c.id,
          execId: `e2-${run}`,
          bundle: c.bundle,
          runtimeDir: c.runtimeDir,
          runtimePath: runtime,
          process: { ...base, args: ['sh', '-c', 'read x; echo "got $x"; tty'], terminal: true },
          tty: true,
          openStdin: true,
        });
        const o2 = collect(e2.streams);
        await e2.resize(10, 40);
        e2.streams.write(Buffer.from('hi\n'));
        assert.equal(await e2.exit, 0);
        const out2 = await o2;
        assert.match(out2.stdout, /got hi\r\n\/dev\/pts\/\d+\r\n/);

        const e3 = await rt.exec(ctx, {
          containerId: c.id,
          execId: `e3-${run}`,
          bundle: c.bundle,
          runtimeDir: c.runtimeDir,
          runtimePath: runtime,
          process: { ...base, args: ['cat'] },
          tty: false,
          openStdin: true,
        });
        const o3 = collect(e3.streams);
        e3.streams.write(Buffer.from('piped'));
        e3.streams.closeStdin();
        assert.equal(await e3.exit, 0);
        assert.equal((await o3).stdout, 'piped');

        await assert.rejects(
          rt.exec(ctx, {
            containerId: c.id,
            execId: `e4-${run}`,
            bundle: c.bundle,
            runtimeDir: c.runtimeDir,
            runtimePath: runtime,
            process: { ...base, args: ['nonexistent'] },
            tty: false,
            openStdin: false,
          }),
          (err: Error) => {
            assert.equal(err.name, 'InvalidArgumentError');
            assert.equal(
              err.message,
              'OCI runtime exec failed: exec failed: unable to start container process: exec: "nonexistent": executable file not found in $PATH: unknown',
              'dockerd 20.10\'s text',
            );
            return true;
          },
        );
        assert.deepEqual((await readdir(c.runtimeDir)).filter((f) => f.startsWith('exec-')), [], 'exec dirs are removed');
        await rt.kill(ctx, c.id, runtime, 'KILL');
        assert.equal(await rt.waitExit(c.id, c.runtimeDir), 137);
        await remove(c.id);
      });

      it('kills with SIGTERM through --init (143) and pauses/resumes', async () => {
        const c = await create({ args: ['sleep', '30'], init: true });
        await rt.start(ctx, c.id, runtime);
        await rt.pause(ctx, c.id, runtime);
        assert.equal((await rt.state(ctx, c.id, runtime))?.status, 'paused');
        await rt.resume(ctx, c.id, runtime);
        assert.equal((await rt.state(ctx, c.id, runtime))?.status, 'running');
        await rt.kill(ctx, c.id, runtime, 'TERM');
        assert.equal(await rt.waitExit(c.id, c.runtimeDir), 143);
        await remove(c.id);
      });

      it('lets a new runtime object (daemon restart) find the exit of a running container', async () => {
        const c = await create({ args: ['sh', '-c', 'read x; exit 4'] }, { openStdin: true, stdinOnce: false });
        await rt.start(ctx, c.id, runtime);
        const fresh = new ConmonRuntime({ stateRoot: `${tmp}/state` });
        assert.equal(await fresh.readExit(c.id, c.runtimeDir), undefined);
        assert.equal((await fresh.state(ctx, c.id, runtime))?.status, 'running');
        const waiting = fresh.waitExit(c.id, c.runtimeDir);
        // a first client closing its stdin does not close the container's (StdinOnce=false) …
        const s1 = await fresh.attach(ctx, c.id, c.runtimeDir);
        s1.closeStdin();
        s1.close();
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(await fresh.readExit(c.id, c.runtimeDir), undefined);
        // … a second one can still write to it
        const s2 = await fresh.attach(ctx, c.id, c.runtimeDir);
        s2.write(Buffer.from('go\n'));
        assert.equal(await waiting, 4);
        const again = new ConmonRuntime({ stateRoot: `${tmp}/state` });
        assert.equal(await again.waitExit(c.id, c.runtimeDir), 4, 'an exit file written earlier is found at once');
        await again.delete(ctx, c.id, runtime);
      });
    });
  }
}

function collect(s: AttachStreams): Promise<{ stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  s.onData((stream, d) => (stream === 1 ? out : err).push(d));
  return new Promise((resolve) => s.onClose(() => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })));
}

async function buildRootfs(dir: string): Promise<void> {
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'sbin']) await mkdir(`${dir}/${d}`, { recursive: true });
  await copyFile('/bin/busybox', `${dir}/bin/busybox`);
  await chmod(`${dir}/bin/busybox`, 0o755);
  for (const c of ['sh', 'echo', 'cat', 'sleep', 'stty', 'tty', 'true', 'false', 'ls', 'id', 'seq']) await symlink('busybox', `${dir}/bin/${c}`);
  await writeFile(`${dir}/etc/passwd`, 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(`${dir}/etc/group`, 'root:x:0:\n');
}

/** Pids of conmon processes whose command line mentions `dir`. */
async function conmonPidsUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = (await readFile(`/proc/${e}/cmdline`, 'utf8')).split('\0');
      if (argv[0]?.endsWith('conmon') && argv.some((a) => a.includes(dir))) pids.push(Number(e));
    } catch {}
  }
  return pids;
}

/** Removes the per-run cgroup directories (the runtimes remove the containers' own, not the parent). */
async function removeCgroups(name: string, hugetlb: string | undefined): Promise<void> {
  const roots = (await readdir('/sys/fs/cgroup')).map((h) => `/sys/fs/cgroup/${h}`);
  if (hugetlb) roots.push(hugetlb);
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: string[];
    try {
      entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === name) await rmTree(`${dir}/${e}`);
      else if (depth < 3) await walk(`${dir}/${e}`, depth + 1);
    }
  };
  for (const r of roots) await walk(r, 0);
}

async function rmTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await rmTree(`${dir}/${e.name}`);
  await rmdir(dir).catch(() => {});
}

function exec(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: 'inherit' });
    c.on('exit', (code) => resolve(code ?? 1));
  });
}
