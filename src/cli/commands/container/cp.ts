/** `berth cp`: files and directories between a container and the local file system (or a tar on stdin/stdout). */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { containerPath } from '../../../client/api/containers.ts';
import type { EngineClient } from '../../../client/client.ts';
import { type PathStat, decodePathStat, goClean, goDir, goModeIsDevice, goModeIsDir, goModeIsSymlink, preserveTrailingDotOrSeparator } from '../../../domain/container/archive-paths.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import type { CliContext } from '../../context.ts';
import { boolFlag } from '../../flags/spec.ts';
import { humanSizeWithPrecision } from '../../format/units.ts';
import { type CopyInfo, copyInfoDestinationPath, copyInfoSourcePath, getRebaseName, prepareArchiveCopy, rebaseArchive, splitPathDirEntry, tarResource, untarLocal } from './cp-local.ts';

interface Opts {
  followLink: boolean;
  archive: boolean;
  quiet: boolean;
}

/** splitCpArg: "ctr:/path" → ["ctr", "/path"]; an absolute path or one starting with "." is local. */
export function splitCpArg(arg: string): [string, string] {
  if (arg.startsWith('/')) return ['', arg];
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).startsWith('.')) return ['', arg];
  return [arg.slice(0, i), arg.slice(i + 1)];
}

async function statPath(client: EngineClient, ctr: string, path: string): Promise<PathStat | undefined> {
  try {
    const res = await client.request('HEAD', containerPath(ctr, '/archive'), { query: { path } });
    res.resume();
    return decodePathStat(res.headers['x-docker-container-path-stat'] as string | undefined);
  } catch {
    return undefined;
  }
}

/** Counts the bytes that pass (for "Successfully copied …"). */
function counted(src: Readable, total: { n: number }): Readable {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total.n += chunk.length;
      cb(null, chunk);
    },
  });
  pipeline(src, t).catch(() => {});
  return t;
}

function localAbs(p: string): string {
  return preserveTrailingDotOrSeparator(resolve(p), p);
}

async function validateOutputPath(p: string): Promise<void> {
  const dir = goDir(goClean(p));
  if (dir !== '' && dir !== '.') {
    const d = await stat(dir).catch((e: NodeJS.ErrnoException) => e);
    if (d instanceof Error && d.code === 'ENOENT') throw new Error(`invalid output path: directory "${dir}" does not exist`);
  }
  const st = await stat(p).catch(() => undefined);
  if (st && !st.isDirectory() && !st.isFile() && (st.isBlockDevice() || st.isCharacterDevice())) {
    throw new Error(`invalid output path: "${p}" must be a directory or a regular file: got a device`);
  }
}

async function copyFromContainer(ctx: CliContext, o: Opts, ctr: string, srcPathIn: string, dstIn: string): Promise<void> {
  let srcPath = srcPathIn;
  const dstPath = dstIn === '-' ? '-' : localAbs(dstIn);
  await validateOutputPath(dstPath);
  const client = await ctx.client();
  let rebaseName = '';
  if (o.followLink) {
    const st = await statPath(client, ctr, srcPath);
    if (st && goModeIsSymlink(st.mode)) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = `${splitPathDirEntry(srcPath)[0]}/${target}`;
      [srcPath, rebaseName] = getRebaseName(srcPath, target);
    }
  }
  const res = await client.request('GET', containerPath(ctr, '/archive'), { query: { path: srcPath } });
  const stat0 = decodePathStat(res.headers['x-docker-container-path-stat'] as string | undefined);
  if (!stat0) throw new Error('unable to get resource stat from response: invalid X-Docker-Container-Path-Stat header');
  if (dstPath === '-') {
    for await (const chunk of res) {
      ctx.out.write(chunk as Buffer);
      if ((ctx.out.stream as NodeJS.WriteStream).writableLength > 1 << 20) await ctx.out.drain();
    }
    await ctx.out.drain();
    return;
  }
  const total = { n: 0 };
  let content: Readable = counted(res, total);
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: goModeIsDir(stat0.mode), rebaseName };
  if (rebaseName) content = rebaseArchive(content, splitPathDirEntry(srcPath)[1], rebaseName);
  const dstInfo = await copyInfoDestinationPath(dstPath);
  const { dstDir, rebase } = prepareArchiveCopy(srcInfo, dstInfo);
  if (rebase) content = rebaseArchive(content, rebase[0], rebase[1]);
  await untarLocal(content, dstDir);
  if (!o.quiet) ctx.err.write(`Successfully copied ${humanSizeWithPrecision(total.n, 3)} to ${dstPath}\n`);
}

async function copyToContainer(ctx: CliContext, o: Opts, srcIn: string, ctr: string, dstPath: string): Promise<void> {
  const srcPath = srcIn === '-' ? '-' : localAbs(srcIn);
  const client = await ctx.client();
  const dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let st = await statPath(client, ctr, dstPath);
  if (st && goModeIsSymlink(st.mode)) {
    let target = st.linkTarget;
    if (!target.startsWith('/')) target = `${splitPathDirEntry(dstPath)[0]}/${target}`;
    dstInfo.path = target;
    st = await statPath(client, ctr, target);
  }
  if (st && goModeIsDevice(st.mode)) throw new Error(`destination "${ctr}:${dstPath}": got a device: destination "${ctr}:${dstPath}" must be a directory or a regular file`);
  if (st) {
    dstInfo.exists = true;
    dstInfo.isDir = goModeIsDir(st.mode);
  }
  let content: Readable;
  let resolvedDst: string;
  const total = { n: 0 };
  if (srcPath === '-') {
    content = ctx.in.stream as Readable;
    resolvedDst = dstInfo.path;
    if (!dstInfo.isDir) throw new Error(`destination "${ctr}:${dstPath}" must be a directory`);
  } else {
    const srcInfo = await copyInfoSourcePath(srcPath, o.followLink);
    const { dstDir, rebase } = prepareArchiveCopy(srcInfo, dstInfo);
    content = counted(tarResource(srcInfo), total);
    if (rebase) content = rebaseArchive(content, rebase[0], rebase[1]);
    resolvedDst = dstDir;
  }
  const query: Record<string, string | boolean> = { path: resolvedDst, noOverwriteDirNonDir: true };
  if (o.archive) query.copyUIDGID = true;
  const res = await client.request('PUT', containerPath(ctr, '/archive'), { query, rawBody: content, contentType: 'application/x-tar' });
  res.resume();
  if (res.statusCode !== 200) throw new Error(`unexpected status code from daemon: ${res.statusCode}`);
  if (!o.quiet) ctx.err.write(`Successfully copied ${humanSizeWithPrecision(total.n, 3)} to ${ctr}:${dstInfo.path}\n`);
}

export default defineCommand<Opts>({
  usage: `[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
	berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
  short: 'Copy files/folders between a container and the local filesystem',
  long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
  aliases: '{bin} container cp, {bin} cp',
  args: exactArgs(2),
  flags: [
    boolFlag('follow-link', 'Always follow symbol link in SRC_PATH', { short: 'L' }),
    boolFlag('archive', 'Archive mode (copy all uid/gid information)', { short: 'a' }),
    boolFlag('quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached', { short: 'q' }),
  ],
  async run(ctx, o, args, info) {
    if (args[0] === '') throw new Error('source can not be empty');
    if (args[1] === '') throw new Error('destination can not be empty');
    const opts = { ...o, quiet: info.changed.has('quiet') ? o.quiet : !ctx.out.isTTY };
    const [srcCtr, srcPath] = splitCpArg(args[0]!);
    const [dstCtr, dstPath] = splitCpArg(args[1]!);
    if (srcCtr && dstCtr) throw new Error('copying between containers is not supported');
    if (srcCtr) return copyFromContainer(ctx, opts, srcCtr, srcPath, dstPath);
    if (dstCtr) return copyToContainer(ctx, opts, srcPath, dstCtr, dstPath);
    throw new Error('must specify at least one container source');
  },
});
