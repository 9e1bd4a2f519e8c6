import type { Stats } from 'node:fs';
import { open, readlink } from 'node:fs/promises';
import { getAttribute, listAttributes } from '@napi-rs/xattr';
import tar from 'tar-stream';

/**
 * How file owners on the host are written into a tar: the identity, or (with `--userns-remap`) the reverse of the
 * remapping, so that a layer made from a container's files says uid 0 where the host says 100000.
 */
export type OwnerMap = (owner: { uid: number; gid: number }) => { uid: number; gid: number };

/** A header with its owner mapped (unchanged without a map). */
export function mapOwner<T extends { uid?: number; gid?: number }>(h: T, owners: OwnerMap | undefined): T {
  if (!owners) return h;
  return { ...h, ...owners({ uid: h.uid ?? 0, gid: h.gid ?? 0 }) };
}

/** A tar entry header as tar-stream takes it, with PAX records as strings. */
export type TarHeader = Omit<Partial<tar.Header>, 'pax'> & { name: string; pax?: Record<string, string> };

/** The largest ID a ustar header holds (7 octal digits); tar-stream writes 0o777777 for anything larger. */
const MAX_USTAR_ID = 0o777777;

/** Owners beyond ustar's range go into PAX `uid`/`gid` records (as Go's archive/tar and GNU tar write them). */
function withLargeIds(h: TarHeader): TarHeader {
  const big = (h.uid ?? 0) > MAX_USTAR_ID || (h.gid ?? 0) > MAX_USTAR_ID;
  if (!big) return h;
  return { ...h, pax: { ...h.pax, uid: String(h.uid ?? 0), gid: String(h.gid ?? 0) } };
}

/** An entry's owner: PAX `uid`/`gid` records win over the ustar fields (which cannot hold large IDs). */
export function ownerOf(h: TarHeader): { uid: number; gid: number } {
  const num = (v: string | undefined, d: number | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : (d ?? 0));
  return { uid: num(h.pax?.uid, h.uid), gid: num(h.pax?.gid, h.gid) };
}

/**
 * A thin async layer over tar-stream's pack: one awaited call per entry, backpressure respected, file bodies read
 * from disk in chunks. Entries use the PAX format when needed (long names, xattrs).
 */
export class TarWriter {
  readonly pack = tar.pack();

  /** Adds an entry without a body (directory, symlink, hardlink, device, fifo, empty file). */
  add(header: TarHeader, body?: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pack.entry({ ...withLargeIds(header), size: body?.length ?? 0 }, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Adds a regular file whose body is the first `size` bytes of `path` (padded with zeros if it shrank). */
  async addFile(header: TarHeader, path: string, size: number): Promise<void> {
    if (size === 0) return this.add({ ...header, type: 'file' });
    const fh = await open(path, 'r');
    try {
      await new Promise<void>((resolve, reject) => {
        const sink = this.pack.entry({ ...withLargeIds(header), type: 'file', size }, (err) => (err ? reject(err) : resolve()));
        const pump = async (): Promise<void> => {
          let left = size;
          const buf = Buffer.allocUnsafe(Math.min(size, 1 << 20));
          while (left > 0) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, left), null);
            const chunk = bytesRead === 0 ? Buffer.alloc(Math.min(buf.length, left)) : Buffer.from(buf.subarray(0, bytesRead));
            left -= chunk.length;
            if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
          }
          (sink as unknown as { end(): void }).end();
        };
        pump().catch((e: unknown) => {
          sink.destroy(e as Error);
          reject(e);
        });
      });
    } finally {
      await fh.close();
    }
  }

  finalize(): void {
    this.pack.finalize();
  }

  destroy(err?: Error): void {
    this.pack.destroy(err);
  }
}

function major(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}
function minor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}

export function devNumbers(st: Stats): { major: number; minor: number } {
  return { major: major(st.rdev), minor: minor(st.rdev) };
}

/** xattrs worth carrying in a layer (overlay's own trusted.overlay.* are not), as PAX SCHILY.xattr.* records. */
export async function paxXattrs(path: string): Promise<Record<string, string> | undefined> {
  let names: string[];
  try {
    names = await listAttributes(path);
  } catch {
    return undefined;
  }
  const pax: Record<string, string> = {};
  for (const n of names) {
    if (n.startsWith('trusted.')) continue;
    const v = await getAttribute(path, n).catch(() => null);
    // tar-stream writes PAX values as UTF-8 text: a binary value (security.capability) would be corrupted, so skip it
    if (v && Buffer.from(v.toString('utf8'), 'utf8').equals(v)) pax[`SCHILY.xattr.${n}`] = v.toString('utf8');
  }
  return Object.keys(pax).length ? pax : undefined;
}

/**
 * The tar header for a filesystem entry (mtime truncated to seconds, numeric owners, the full st_mode so that
 * tar-stream keeps a 000 permission instead of defaulting it). Returns undefined for sockets (not archivable).
 */
export async function headerFor(name: string, path: string, st: Stats): Promise<(TarHeader) | undefined> {
  const h: TarHeader = {
    name,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000),
  };
  if (st.isDirectory()) h.type = 'directory';
  else if (st.isFile()) h.type = 'file';
  else if (st.isSymbolicLink()) {
    h.type = 'symlink';
    h.linkname = await readlink(path);
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    h.type = st.isCharacterDevice() ? 'character-device' : 'block-device';
    const d = devNumbers(st);
    h.devmajor = d.major;
    h.devminor = d.minor;
  } else if (st.isFIFO()) h.type = 'fifo';
  else return undefined;
  if (!st.isSymbolicLink()) {
    const pax = await paxXattrs(path);
    if (pax) h.pax = pax;
  }
  return h;
}

/** Names in a directory, sorted as Go's filepath.Walk does (bytewise). */
export function sortNames(names: string[]): string[] {
  return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
