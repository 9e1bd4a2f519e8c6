import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { backgroundCtx, type Ctx } from '../../common/ctx.ts';
import { ConflictError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { parseNormalizedNamed } from '../../domain/image/reference.ts';
import { run } from '../../system/exec/exec.ts';
import { EventsService } from '../events/events.ts';
import type { ContainersForImages, ImageConfig, RootfsLayout } from './contract.ts';
import { ImageService } from './image-service.ts';
import { importBusyboxImage } from './testing/busybox-image.ts';

/**
 * Real layers on the real filesystem, overlay mounted inside a private mount namespace (`unshare -m`), and the
 * saved archives checked with skopeo and umoci. Needs root, overlayfs, busybox-static, skopeo and umoci.
 */
const ctx: Ctx = backgroundCtx;

async function entriesOf(stream: Readable | Buffer): Promise<Map<string, { type: string; body: Buffer }>> {
  const ex = tar.extract();
  const src = Buffer.isBuffer(stream) ? Readable.from([stream]) : stream;
  src.pipe(ex as unknown as NodeJS.WritableStream);
  const out = new Map<string, { type: string; body: Buffer }>();
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name.replace(/\/$/, ''), { type: e.header.type, body: Buffer.concat(chunks) });
  }
  return out;
}

async function collect(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A stand-in container service: one container, running or not. */
class FakeContainers implements ContainersForImages {
  readonly id = newId();
  imageId = '';
  running = false;
  layout!: RootfsLayout;
  usersOf(imageId: string): { id: string; running: boolean }[] {
    return imageId === this.imageId ? [{ id: this.id, running: this.running }] : [];
  }
  async rootfsOf(ref: string) {
    if (ref !== this.id && ref !== 'ctr1') throw new Error(`No such container: ${ref}`);
    const config: ImageConfig = { Cmd: ['sh', '-c', 'rm /etc/group'], Env: ['PATH=/bin'] };
    return { id: this.id, imageId: this.imageId, layout: this.layout, running: this.running, config, name: 'ctr1', image: 'bb:latest' };
  }
}

describe('images on overlayfs', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  let root: string;
  let svc: ImageService;
  const events = new EventsService();
  const ctrs = new FakeContainers();

  before(async () => {
    root = await mkdtemp(`${tmpdir()}/berth-images-itest-`);
    svc = await ImageService.create({ dataRoot: `${root}/data`, events });
    svc.setContainers(ctrs);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('imports busybox, mounts it, and sees a deletion as a whiteout in diff and commit', async () => {
    const img = await importBusyboxImage(svc, 'bb:latest');
    assert.deepEqual((await svc.resolve('bb')).config.Cmd, ['sh']);
    assert.equal((await svc.resolve(img.id.slice(7, 19))).id, img.id);
    ctrs.imageId = img.id;
    ctrs.layout = await svc.prepareRootfs(ctx, ctrs.id, img.id);
    assert.deepEqual(ctrs.layout, await svc.prepareRootfs(ctx, ctrs.id, img.id), 'prepareRootfs is idempotent');

    const merged = `${root}/merged`;
    await mkdir(merged);
    const l = ctrs.layout;
    const script = [
      `mount -t overlay overlay -o lowerdir=${l.lowerDirs.join(':')},upperdir=${l.upperDir},workdir=${l.workDir} ${merged}`,
      `chroot ${merged} /bin/sh -c 'test -x /bin/busybox && cat /etc/passwd | head -1 && rm /etc/group && echo new > /tmp/new'`,
      `umount ${merged}`,
    ].join(' && ');
    const r = await run(ctx, 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', script]);
    assert.match(r.stdout, /^root:x:0:0:/);

    const wh = await lstat(`${l.upperDir}/etc/group`);
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'overlay made a whiteout');
    assert.deepEqual(await svc.changes(ctx, ctrs.id), [
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/group', Kind: 2 },
      { Path: '/tmp', Kind: 0 },
      { Path: '/tmp/new', Kind: 1 },
    ]);

    const exported = await entriesOf(await svc.exportContainer(ctx, 'ctr1'));
    assert.ok(exported.has('bin/busybox'));
    assert.ok(!exported.has('etc/group'), 'deleted file is not exported');
    assert.equal(exported.get('tmp/new')?.body.toString(), 'new\n');

    const committed = await svc.commit(ctx, { container: 'ctr1', ref: parseNormalizedNamed('bb:committed'), changes: ['CMD ["echo","hi"]'], author: 'me', comment: 'c1', pause: true });
    assert.deepEqual(committed.config.config?.Cmd, ['echo', 'hi']);
    assert.deepEqual(committed.config.config?.Env, ['PATH=/bin']);
    assert.equal(committed.parent, img.id);
    assert.equal(committed.config.rootfs.diff_ids.length, 2);
    const hist = svc.history('bb:committed');
    assert.equal(hist.length, 2);
    assert.equal(hist[0]!.Comment, 'c1');
    assert.equal(hist[0]!.CreatedBy, 'sh -c rm /etc/group');
    assert.equal(hist[1]!.Id, img.id);
    assert.deepEqual(hist[1]!.Tags, ['bb:latest']);

    const saved = await entriesOf(await collect(svc.save(['bb:committed'])));
    const manifest = JSON.parse(saved.get('manifest.json')!.body.toString()) as { Layers: string[]; RepoTags: string[] }[];
    assert.deepEqual(manifest[0]!.RepoTags, ['bb:committed']);
    const top = await entriesOf(saved.get(manifest[0]!.Layers[1]!)!.body);
    assert.deepEqual([...top.keys()].sort(), ['etc', 'etc/.wh.group', 'tmp', 'tmp/new']);
    const actions = events.history(0n).map((e) => `${e.Type}:${e.Action}`);
    assert.ok(actions.includes('image:import') && actions.includes('image:tag') && actions.includes('container:commit'), actions.join(','));
  });

  it('refuses to delete images in use with Docker messages, and untags by name', async () => {
    const img = svc.get('bb:latest');
    const short = img.id.slice(7, 19);
    ctrs.running = true;
    // bb:committed is a child of bb:latest
    await assert.rejects(svc.remove(ctx, img.id, false, false), (e: unknown) => e instanceof ConflictError && /\(cannot be forced\) - image has dependent child images/.test(e.message));
    const committed = svc.get('bb:committed');
    ctrs.imageId = committed.id;
    await assert.rejects(
      svc.remove(ctx, committed.id, true, false),
      (e: unknown) => e instanceof ConflictError && e.message === `conflict: unable to delete ${committed.id.slice(7, 19)} (cannot be forced) - image is being used by running container ${ctrs.id.slice(0, 12)}`,
    );
    ctrs.running = false;
    await assert.rejects(svc.remove(ctx, committed.id, false, false), /\(must be forced\) - image is being used by stopped container/);
    await svc.tag('bb:latest', parseNormalizedNamed('bb:other'));
    assert.deepEqual(await svc.remove(ctx, 'bb:other', false, false), [{ Untagged: 'bb:other' }]);
    assert.ok(short.length === 12);
  });

  it('saves an archive that skopeo and umoci read, and loads it back', async () => {
    const file = `${root}/bb.tar`;
    await writeFile(file, await collect(svc.save(['bb:latest'])));
    const docker = JSON.parse((await run(ctx, 'skopeo', ['inspect', `docker-archive:${file}`])).stdout) as { Layers: string[]; Os: string };
    assert.equal(docker.Layers.length, 1);
    assert.equal(docker.Os, 'linux');
    const oci = JSON.parse((await run(ctx, 'skopeo', ['inspect', `oci-archive:${file}`])).stdout) as { Layers: string[] };
    assert.equal(oci.Layers.length, 1);
    const layoutDir = `${root}/layout`;
    await mkdir(layoutDir);
    await run(ctx, 'tar', ['-xf', file, '-C', layoutDir]);
    await run(ctx, 'umoci', ['unpack', '--image', `${layoutDir}:latest`, `${root}/bundle`]);
    assert.ok((await stat(`${root}/bundle/rootfs/bin/busybox`)).isFile());
    const cfg = JSON.parse(await readFile(`${root}/bundle/config.json`, 'utf8')) as { process: { args: string[] } };
    assert.deepEqual(cfg.process.args, ['sh']);

    const other = await ImageService.create({ dataRoot: `${root}/data2` });
    const lines: string[] = [];
    const ids = await other.load(ctx, Readable.from([await readFile(file)]), true, (p) => p.stream && lines.push(p.stream));
    assert.deepEqual(lines, ['Loaded image: bb:latest\n']);
    assert.deepEqual(ids, [svc.get('bb:latest').id]);
    const again = await collect(other.save(['bb:latest']));
    assert.deepEqual(again, await readFile(file), 'save → load → save is byte-identical');

    // an OCI layout alone (no manifest.json): tags come from the index annotations
    const ociOnly = tar.pack();
    for (const [name, e] of await entriesOf(again)) {
      if (name === 'manifest.json' || name === 'repositories') continue;
      if (e.type === 'directory') ociOnly.entry({ name, type: 'directory' });
      else ociOnly.entry({ name }, e.body);
    }
    ociOnly.finalize();
    const third = await ImageService.create({ dataRoot: `${root}/data3` });
    const ociLines: string[] = [];
    await third.load(ctx, Readable.from(ociOnly as unknown as AsyncIterable<Buffer>), true, (p) => p.stream && ociLines.push(p.stream));
    assert.deepEqual(ociLines, ['Loaded image: bb:latest\n']);
    assert.equal(third.get('bb').id, svc.get('bb:latest').id);
    // load into a store that has the layer already: nothing is unpacked twice, the tag moves back
    const msgs: string[] = [];
    await other.import(ctx, [Buffer.alloc(1024)], { ref: parseNormalizedNamed('bb:latest') });
    await other.load(ctx, Readable.from([again]), true, (p) => p.stream && msgs.push(p.stream));
    assert.match(msgs[0]!, /^The image bb:latest already exists, renaming the old one with ID sha256:[0-9a-f]{64} to empty string\n$/);
  });

  it('keeps its state across a restart and cleans up snapshots and layers', async () => {
    const again = await ImageService.create({ dataRoot: `${root}/data` });
    again.setContainers(ctrs);
    assert.deepEqual(
      again
        .list(false, new Map())
        .map((i) => i.repoTags.join(','))
        .sort(),
      ['bb:committed', 'bb:latest'],
    );
    await again.removeRootfs(ctx, ctrs.id);
    ctrs.imageId = '';
    const del = await again.remove(ctx, 'bb:committed', false, false);
    assert.deepEqual(del.slice(0, 2), [{ Untagged: 'bb:committed' }, { Deleted: svc.get('bb:committed').id }]);
    assert.equal(del.length, 3, 'the committed layer is removed too');
    const pruned = await again.prune(ctx, new Map([['dangling', ['false']]]));
    assert.ok(pruned.SpaceReclaimed > 1_000_000);
    assert.deepEqual(again.list(true, new Map()), []);
  });
});
