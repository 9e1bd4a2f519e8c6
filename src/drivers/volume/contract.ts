import type { Ctx } from '../../common/ctx.ts';

/**
 * A volume driver (moby's volume.Driver): creates, removes and mounts the data of named volumes. The volumes
 * service keeps names, labels and references; a driver keeps only the data and its own options.
 *
 * Semantics:
 * - `create` is idempotent: creating a name that exists returns the existing volume (options unchanged).
 *   Invalid names or options throw InvalidArgumentError with Docker's text (no "create <name>:" prefix: the
 *   service adds it).
 * - `mount`/`unmount` are reference counted per `ref` (a container id): the first mount does the real work (a
 *   local volume with `type`/`device` options runs mount(8)), the last unmount undoes it. `mount` returns the
 *   host path to bind into the container.
 * - `remove` refuses (SystemError "volume has active mounts") while mounted; removing an unknown name is a no-op.
 */
export interface DriverVolume {
  name: string;
  /** Host path of the data (`…/volumes/<name>/_data` for the local driver). */
  path: string;
  /** The driver options the volume was created with (null when none). */
  options: Record<string, string> | null;
  /** Creation time, ms since the epoch. */
  createdAt: number;
}

export interface VolumeDriver {
  readonly name: string;
  readonly scope: 'local' | 'global';
  /** Loads the driver's existing volumes (daemon start). */
  init(ctx: Ctx): Promise<void>;
  create(ctx: Ctx, name: string, opts: Record<string, string>): Promise<DriverVolume>;
  get(name: string): DriverVolume | undefined;
  list(): DriverVolume[];
  remove(ctx: Ctx, name: string): Promise<void>;
  mount(ctx: Ctx, name: string, ref: string): Promise<string>;
  unmount(ctx: Ctx, name: string, ref: string): Promise<void>;
  /** After a daemon restart: a running container `ref` still uses the volume (its mount is in place). */
  liveRestore(name: string, ref: string): void;
}
