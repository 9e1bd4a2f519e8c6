import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../../common/ctx.ts';
import type { AttachStreams, RuntimeCreateOptions } from '../contract.ts';
import { FakeRuntime } from './fake-runtime.ts';

function collect(s: AttachStreams): Promise<string> {
  let out = '';
  s.onData((stream, d) => (out += `${stream}:${d.toString()}`));
  return new Promise((r) => s.onClose(() => r(out)));
}

describe('FakeRuntime', () => {
  let dir = '';
  let n = 0;
  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-fakert-`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  async function opts(args: string[], o: Partial<RuntimeCreateOptions> = {}): Promise<RuntimeCreateOptions> {
    const id = `c${++n}`;
    const bundle = `${dir}/${id}`;
    await mkdir(bundle, { recursive: true });
    await writeFile(`${bundle}/config.json`, JSON.stringify({ process: { args } }));
    return { id, bundle, runtimeDir: bundle, logPath: '', logSizeMax: 0, tty: false, openStdin: false, runtimePath: 'fake', ...o };
  }

  it('runs echo through attach and reports the exit', async () => {
    const rt = new FakeRuntime();
    const o = await opts(['echo', 'hi']);
    await rt.create(ctx, o);
    assert.equal((await rt.state(ctx, o.id, 'fake'))?.status, 'created');
    const out = collect(await rt.attach(ctx, o.id, o.runtimeDir));
    await rt.start(ctx, o.id, 'fake');
    assert.equal(await rt.waitExit(o.id, o.runtimeDir), 0);
    assert.equal(await out, '1:hi\n');
    assert.equal(await rt.readExit(o.id, o.runtimeDir), 0);
    assert.equal((await rt.state(ctx, o.id, 'fake'))?.status, 'stopped');
  });

  it('exits with sh -c "exit 3", and fails to create a missing executable', async () => {
    const rt = new FakeRuntime();
    const o = await opts(['sh', '-c', 'exit 3']);
    await rt.create(ctx, o);
    await rt.start(ctx, o.id, 'fake');
    assert.equal(await rt.waitExit(o.id, o.runtimeDir), 3);
    await assert.rejects(rt.create(ctx, await opts(['/nonexistent'])), /no such file or directory/);
    assert.equal(rt.containers.size, 1);
  });

  it('pipes stdin to cat and ends when it is closed; kills sleep with TERM (143) and KILL (137)', async () => {
    const rt = new FakeRuntime();
    const o = await opts(['cat'], { openStdin: true });
    await rt.create(ctx, o);
    const s = await rt.attach(ctx, o.id, o.runtimeDir);
    const out = collect(s);
    await rt.start(ctx, o.id, 'fake');
    s.write(Buffer.from('abc'));
    s.closeStdin();
    assert.equal(await rt.waitExit(o.id, o.runtimeDir), 0);
    assert.equal(await out, '1:abc');
    for (const [sig, code] of [['TERM', 143], ['SIGKILL', 137], [2, 130]] as const) {
      const k = await opts(['sleep', '100']);
      await rt.create(ctx, k);
      await rt.start(ctx, k.id, 'fake');
      await rt.kill(ctx, k.id, 'fake', sig);
      assert.equal(await rt.waitExit(k.id, k.runtimeDir), code);
      await rt.delete(ctx, k.id, 'fake');
      assert.equal(await rt.state(ctx, k.id, 'fake'), undefined);
    }
  });

  it('execs in a running container', async () => {
    const rt = new FakeRuntime();
    const o = await opts(['sleep', '100']);
    await rt.create(ctx, o);
    await rt.start(ctx, o.id, 'fake');
    const e = await rt.exec(ctx, {
      containerId: o.id,
      execId: 'e1',
      bundle: o.bundle,
      runtimeDir: o.runtimeDir,
      runtimePath: 'fake',
      process: { args: ['echo', 'x'] },
      tty: true,
      openStdin: false,
    });
    const out = collect(e.streams);
    assert.equal(await e.exit, 0);
    assert.equal(await out, '1:x\r\n');
    await assert.rejects(
      rt.exec(ctx, { containerId: o.id, execId: 'e2', bundle: '', runtimeDir: '', runtimePath: 'fake', process: { args: ['nonexistent'] }, tty: false, openStdin: false }),
      /executable file not found/,
    );
    await rt.delete(ctx, o.id, 'fake');
  });
});
