import type { Readable } from 'node:stream';
import type { Ctx } from '../../common/ctx.ts';
import type { RootfsLayout } from '../../services/images/contract.ts';

export type { RootfsLayout };

/** One filesystem change of a container (`docker diff`): Kind 0 modified, 1 added, 2 deleted. */
export interface Change {
  Path: string;
  Kind: 0 | 1 | 2;
}

export interface AppliedLayer {
  /** The snapshotter's id of the unpacked layer (a directory name, Docker's "cache id"). */
  id: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Sum of the regular files' sizes. */
  size: number;
  /** Length of the uncompressed tar. */
  tarSize: number;
}

/**
 * Unpacked image layers and writable container snapshots on one host (containerd's snapshotter, dockerd's graph
 * driver). Layers are immutable once applied; a container snapshot is a writable dir over a stack of layers. The
 * snapshotter does not mount: it hands out the dirs (RootfsLayout) and the container service mounts them.
 * Errors: InvalidArgumentError for a malformed layer; the rest are SystemErrors from the filesystem.
 */
export interface Snapshotter {
  /** Graph driver name shown by inspect and `docker info` ("overlay2"). */
  readonly name: string;
  /** Removes leftovers of interrupted work (half-applied layers). Call once at start-up. */
  init(ctx: Ctx): Promise<void>;
  /** Unpacks an uncompressed layer tar over `parent` (a layer id, undefined for a base layer): unpackLayer + commitLayer. Not idempotent: each call makes a new layer. */
  applyLayer(ctx: Ctx, parent: string | undefined, tar: Readable): Promise<AppliedLayer>;
  /**
   * Unpacks an uncompressed layer tar into a layer of its own that is not usable yet: `commitLayer` gives it its
   * parent and makes it a layer. A layer's files do not depend on the layers below it, so the layers of one image
   * can be unpacked in parallel and committed in chain order. A pending layer goes with `removeLayer`, or at the
   * next `init` after a crash.
   */
  unpackLayer(ctx: Ctx, tar: Readable): Promise<AppliedLayer>;
  /** Makes an unpacked layer a layer over `parent` (undefined for a base layer). Idempotent for the same parent. */
  commitLayer(ctx: Ctx, id: string, parent: string | undefined): Promise<void>;
  /** Deletes a layer, committed or pending. Idempotent. The caller makes sure no layer or snapshot still stands on it. */
  removeLayer(ctx: Ctx, id: string): Promise<void>;
  /** The directory holding a layer's files. */
  layerDir(id: string): string;
  /** Inspect's GraphDriver.Data for an image whose layers are `ids` (top-most first). */
  graphData(ids: readonly string[]): Record<string, string>;
  /** Creates (or returns, if it exists) the writable snapshot `key` over the layers `parents` (top-most first). */
  prepare(ctx: Ctx, key: string, parents: readonly string[]): Promise<RootfsLayout>;
  /** The layout of snapshot `key` without creating anything. */
  layout(key: string, parents: readonly string[]): Promise<RootfsLayout>;
  /** True when the snapshot exists. */
  exists(key: string): Promise<boolean>;
  /** Deletes a snapshot (the caller unmounted it). Idempotent. */
  remove(ctx: Ctx, key: string): Promise<void>;
  /** The snapshot's writable layer as an OCI layer tar (overlay whiteouts → `.wh.` files). */
  diff(ctx: Ctx, layout: RootfsLayout): Readable;
  /** `docker diff` of a snapshot. */
  changes(ctx: Ctx, layout: RootfsLayout): Promise<Change[]>;
  /** The snapshot's merged filesystem as a tar (`docker export`). */
  exportMerged(ctx: Ctx, layout: RootfsLayout): Readable;
}
