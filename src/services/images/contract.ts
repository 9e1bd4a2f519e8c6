import type { Ctx } from '../../common/ctx.ts';
import type { ImageConfig } from '../../domain/image/config.ts';

/** The image config (`config` of the image config blob); defined with the other image types in src/domain/image. */
export type { ImageConfig };

export interface ImageSummary {
  /** "sha256:<hex>" of the image config blob. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  config: ImageConfig;
  created: string;
  size: number;
}

/** The container's writable layer, as overlay mount options (caller mounts it). */
export interface RootfsLayout {
  /** Lower dirs, top-most first (overlay's lowerdir order). */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  /**
   * The same lower dirs relative to `baseDir` ("l/ABC…", dockerd's short links). Mount with cwd = baseDir and these
   * when the absolute lowerdir option would pass the kernel's one-page limit (many layers).
   */
  relativeLowerDirs?: string[];
  baseDir?: string;
}

/**
 * What the container service needs from images. Implemented by ImageService (src/services/images).
 */
export interface ImagesForContainers {
  /** Resolves a reference (name[:tag], name@digest, full or short id) → image, else NotFoundError("No such image: <ref>"). */
  resolve(ref: string): Promise<ImageSummary>;
  /** Creates the container's snapshot (upper/work dirs) over the image's layers. Idempotent per container id. */
  prepareRootfs(ctx: Ctx, containerId: string, imageId: string): Promise<RootfsLayout>;
  /** Returns the layout of an existing container snapshot. */
  rootfsLayout(containerId: string, imageId: string): Promise<RootfsLayout>;
  /** Removes the container's snapshot dirs. Idempotent. */
  removeRootfs(ctx: Ctx, containerId: string): Promise<void>;
}

/** What images needs from containers (rmi conflict checks, prune). Implemented by the container service. */
export interface ContainersForImages {
  /** Containers that use an image: id and whether running. */
  usersOf(imageId: string): { id: string; running: boolean }[];
  /** Data needed by commit/export/diff: the container's rootfs layout and image. Throws NotFoundError. */
  rootfsOf(ref: string): Promise<{
    id: string;
    imageId: string;
    layout: RootfsLayout;
    running: boolean;
    config: ImageConfig;
    /** Optional extras for commit (pause) and for event attributes (`name`, `image`). */
    paused?: boolean;
    name?: string;
    image?: string;
  }>;
  /** Pauses and resumes a running container around `docker commit` (pause=true). Optional. */
  pause?(ctx: Ctx, ref: string): Promise<void>;
  unpause?(ctx: Ctx, ref: string): Promise<void>;
}
