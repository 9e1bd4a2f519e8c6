import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { getAttribute } from '@napi-rs/xattr';
import tar from 'tar-stream';
import { backgroundCtx } from '../../../common/ctx.ts';
import { decompress, detectCompression } from '../compression.ts';
import { applyLayer } from './apply-layer.ts';
import { overlayChanges } from './changes.ts';
import { diffLayer } from './diff-layer.ts';
import { exportMerged } from './export-merged.ts';
import { mknodScript } from './special-files.ts';
import type { TarHeader } from './tar-writer.ts';
import { FIXTURE_MTIME, makeTar } from './tar-fixture.ts';

const isRoot = process.getuid?.() === 0;
const T = FIXTURE_MTIME;


async function readTar(stream: Readable): Promise<{ name: string; type: string; mode: number; uid: number; linkname?: string; body: string; pax?: unknown }[]> {
  const ex = tar.extract();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  const out = [];
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({ name: e.header.type === 'directory' ? `${e.header.name}/` : e.header.name, type: e.header.type, mode: e.header.mode & 0o7777, uid: e.header.uid, linkname: e.header.linkname || undefined, body: Buffer.concat(chunks).toString(), pax: e.header.pax });
  }
  return out;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(`${tmpdir()}/berth-layer-test-`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compression', () => {
  it('detects and undoes gzip, passes plain tar through', async () => {
    const raw = await makeTar([[{ name: 'a', type: 'file' }, 'hello']]);
    assert.equal(detectCompression(raw), 'none');
    assert.equal(detectCompression(gzipSync(raw)), 'gzip');
    assert.equal(detectCompression(zstdCompressSync(raw)), 'zstd');
    for (const input of [raw, gzipSync(raw), zstdCompressSync(raw)]) {
      const { stream } = await decompress(Readable.from([input]));
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      assert.deepEqual(Buffer.concat(chunks), raw);
    }
  });
});

describe('mknodScript', () => {
  it('quotes paths and builds one command per node', () => {
    const s = mknodScript('/x y', [
      { path: "it's", type: 'char', major: 0, minor: 0, mode: 0 },
      { path: 'dev/sda', type: 'block', major: 8, minor: 0, mode: 0o660 },
      { path: 'p', type: 'fifo', major: 0, minor: 0, mode: 0o644 },
    ]);
    assert.equal(s, "cd '/x y'\nmknod -m 000 './it'\\''s' c 0 0\nmknod -m 660 './dev/sda' b 8 0\nmknod -m 644 './p' p\n");
  });
});

describe('applyLayer / diffLayer', { skip: !isRoot && 'needs root (chown, mknod, trusted xattrs)' }, () => {
  it('unpacks every entry type, converts whiteouts, and computes the diff id', async () => {
    const layer = await makeTar([
      [{ name: './', type: 'directory', mode: 0o755 }],
      [{ name: 'bin/', type: 'directory', mode: 0o755 }],
      [{ name: 'bin/tool', type: 'file', mode: 0o4755, uid: 1234, gid: 5678 }, '#!/bin/sh\n'],
      [{ name: 'bin/tool2', type: 'link', linkname: 'bin/tool' }],
      [{ name: 'bin/sh', type: 'symlink', linkname: 'tool' }],
      [{ name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 }],
      [{ name: 'run/fifo', type: 'fifo', mode: 0o600 }],
      [{ name: 'etc/conf', type: 'file', mode: 0o600, pax: { 'SCHILY.xattr.user.berth': 'yes' } }, 'x=1\n'],
      [{ name: 'etc/.wh.gone', type: 'file', mode: 0o600 }],
      [{ name: 'var/', type: 'directory', mode: 0o700 }],
      [{ name: 'var/.wh..wh..opq', type: 'file' }],
      [{ name: 'var/new', type: 'file', mode: 0o640 }, 'n'],
    ]);
    const dest = `${dir}/l1`;
    await mkdir(dest);
    const res = await applyLayer(backgroundCtx, Readable.from([layer]), dest);
    assert.equal(res.diffId, 'sha256:' + createHash('sha256').update(layer).digest('hex'));
    assert.equal(res.tarSize, layer.length);
    assert.equal(res.size, '#!/bin/sh\n'.length + 'x=1\n'.length + 1);

    const tool = await lstat(`${dest}/bin/tool`);
    assert.equal(tool.mode & 0o7777, 0o4755);
    assert.equal(tool.uid, 1234);
    assert.equal(tool.gid, 5678);
    assert.equal(tool.nlink, 2);
    assert.equal(tool.mtimeMs, T.getTime());
    assert.equal(await readlink(`${dest}/bin/sh`), 'tool');
    const nul = await lstat(`${dest}/dev/null`);
    assert.ok(nul.isCharacterDevice());
    assert.equal(nul.rdev, 0x103);
    assert.ok((await lstat(`${dest}/run/fifo`)).isFIFO());
    assert.equal((await getAttribute(`${dest}/etc/conf`, 'user.berth'))?.toString(), 'yes');
    const wh = await lstat(`${dest}/etc/gone`);
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal((await getAttribute(`${dest}/var`, 'trusted.overlay.opaque'))?.toString(), 'y');
    assert.equal((await lstat(`${dest}/var`)).mode & 0o777, 0o700);
    assert.equal((await lstat(`${dest}/bin`)).mtimeMs, T.getTime());

    const back = await readTar(diffLayer(dest, backgroundCtx.log));
    const byName = new Map(back.map((e) => [e.name, e]));
    assert.deepEqual(
      back.map((e) => e.name),
      ['bin/', 'bin/sh', 'bin/tool', 'bin/tool2', 'dev/', 'dev/null', 'etc/', 'etc/conf', 'etc/.wh.gone', 'run/', 'run/fifo', 'var/', 'var/.wh..wh..opq', 'var/new'],
    );
    assert.equal(byName.get('bin/tool')!.mode, 0o4755);
    assert.equal(byName.get('bin/tool')!.uid, 1234);
    assert.equal(byName.get('bin/tool')!.body, '#!/bin/sh\n');
    assert.equal(byName.get('bin/tool2')!.type, 'link');
    assert.equal(byName.get('bin/tool2')!.linkname, 'bin/tool');
    assert.equal(byName.get('dev/null')!.type, 'character-device');
    assert.equal(byName.get('etc/.wh.gone')!.type, 'file');
    assert.equal((byName.get('etc/conf')!.pax as Record<string, string>)['SCHILY.xattr.user.berth'], 'yes');
  });

  it('refuses a stream that is not a tar, as a client error', async () => {
    const dest = await mkdtemp(`${dir}/garbage-`);
    await assert.rejects(applyLayer(backgroundCtx, Readable.from([Buffer.alloc(600, 7)]), dest), (e: unknown) => (e as Error).name === 'InvalidArgumentError' && /invalid tar stream/.test((e as Error).message));
  });

  it('refuses entries that escape through a symlink or ..', async () => {
    for (const entries of [
      [[{ name: 'a', type: 'symlink', linkname: '/etc' }], [{ name: 'a/passwd', type: 'file' }, 'x']],
      [[{ name: '../escape', type: 'file' }, 'x']],
      [[{ name: 'l', type: 'link', linkname: '../../etc/passwd' }]],
    ] as [TarHeader, string?][][]) {
      const dest = await mkdtemp(`${dir}/bad-`);
      await assert.rejects(applyLayer(backgroundCtx, Readable.from([await makeTar(entries)]), dest), /invalid/);
    }
  });

  it('merges layers for export and lists changes like docker diff', async () => {
    const lower = `${dir}/m-lower`;
    const upper = `${dir}/m-upper`;
    await mkdir(lower);
    await mkdir(upper);
    await applyLayer(
      backgroundCtx,
      Readable.from([
        await makeTar([
          [{ name: 'etc/', type: 'directory', mode: 0o755 }],
          [{ name: 'etc/keep', type: 'file' }, 'k'],
          [{ name: 'etc/del', type: 'file' }, 'd'],
          [{ name: 'etc/mod', type: 'file' }, 'old'],
          [{ name: 'opq/', type: 'directory', mode: 0o755 }],
          [{ name: 'opq/hidden', type: 'file' }, 'h'],
        ]),
      ]),
      lower,
    );
    await applyLayer(
      backgroundCtx,
      Readable.from([
        await makeTar([
          [{ name: 'etc/', type: 'directory', mode: 0o755 }],
          [{ name: 'etc/.wh.del', type: 'file' }],
          [{ name: 'etc/mod', type: 'file' }, 'new'],
          [{ name: 'etc/add', type: 'file' }, 'a'],
          [{ name: 'opq/', type: 'directory', mode: 0o755 }],
          [{ name: 'opq/.wh..wh..opq', type: 'file' }],
          [{ name: 'opq/fresh', type: 'file' }, 'f'],
        ]),
      ]),
      upper,
    );
    const merged = await readTar(exportMerged([upper, lower], backgroundCtx.log));
    assert.deepEqual(
      merged.map((e) => `${e.name}=${e.body}`),
      ['etc/=', 'etc/add=a', 'etc/keep=k', 'etc/mod=new', 'opq/=', 'opq/fresh=f'],
    );
    // make etc differ from below (as a real copy-up would) to see it as modified
    await utimes(`${upper}/etc`, new Date(), new Date());
    const changes = await overlayChanges([lower], upper);
    assert.deepEqual(changes, [
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/add', Kind: 1 },
      { Path: '/etc/del', Kind: 2 },
      { Path: '/etc/mod', Kind: 0 },
      { Path: '/opq', Kind: 2 },
      { Path: '/opq/fresh', Kind: 1 },
    ]);
    assert.equal(await readFile(`${upper}/etc/mod`, 'utf8'), 'new');
    await writeFile(`${upper}/top`, 't');
    const c2 = await overlayChanges([lower], upper);
    assert.deepEqual(c2.at(-1), { Path: '/top', Kind: 1 });
  });
});
