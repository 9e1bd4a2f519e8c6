import type { Ctx } from '../../common/ctx.ts';

/** Docker's Volume object (GET /volumes/{name}, list entries, create response). */
export interface VolumeView {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local' | 'global';
  Status?: Record<string, unknown>;
  UsageData?: { Size: number; RefCount: number };
}

/** The label dockerd puts on volumes created without a name; prune (API ≥ 1.42) removes only these by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeCreateOptions {
  /** Driver options (`--opt`, `volume-opt`). */
  opts?: Record<string, string> | null;
  labels?: Record<string, string> | null;
  /** A reference (container id) taken at once, so the volume cannot be removed before it is used. */
  ref?: string;
}

/**
 * What the container service needs from volumes. Implemented by VolumesService. Errors carry Docker's text:
 * NotFoundError("get <name>: no such volume"), ConflictError("remove <name>: volume is in use - [<ids>]").
 */
export interface VolumesForContainers {
  /** Creates (or returns the existing) volume; `name` '' creates an anonymous volume with a random name. */
  create(ctx: Ctx, name: string, driver: string, o?: VolumeCreateOptions): Promise<VolumeView>;
  get(name: string): VolumeView;
  /** Adds a reference (container id): the volume is "in use" until released. Idempotent. */
  reference(name: string, ref: string): void;
  release(name: string, ref: string): void;
  /** Mounts the volume's data for `ref`; returns the host path to bind (events are the caller's). */
  mount(ctx: Ctx, name: string, ref: string): Promise<string>;
  unmount(ctx: Ctx, name: string, ref: string): Promise<void>;
  /** After a daemon restart: `ref` runs and still has the volume mounted. */
  liveRestore(name: string, ref: string): void;
  /** Removes a volume; throws ConflictError while referenced. */
  remove(ctx: Ctx, name: string, o?: { force?: boolean }): Promise<void>;
  /** Emits a volume event (mount/unmount are emitted by the container service with its attributes). */
  emit(name: string, action: string, attributes: Record<string, string>): void;
}
