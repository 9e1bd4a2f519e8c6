import type { Readable } from 'node:stream';
import type { Ctx } from '../../common/ctx.ts';
import type { ImageConfigBlob } from '../../domain/image/config.ts';
import type { Reference } from '../../domain/image/reference.ts';

/** A blob in the local content store. */
export interface LocalBlob {
  digest: string;
  size: number;
  mediaType: string;
}

/** A registered layer. */
export interface LocalLayer {
  chainId: string;
  diffId: string;
  /** Length of the uncompressed tar. */
  tarSize: number;
  /** The layer blob as it was received (maybe compressed), kept byte-exact. */
  blob: LocalBlob;
}

/**
 * A layer unpacked on its own, ahead of its place in the chain (`unpackLayer`): the layers of one image unpack in
 * parallel and are stacked in order by `registerLayer`.
 */
export interface UnpackedLayer {
  /** The snapshotter's id of the unpacked dir. */
  cacheId: string;
  diffId: string;
  size: number;
  tarSize: number;
}

/** An image ready to push: its config blob and its layers, bottom first. */
export interface LocalImage {
  id: string;
  config: ImageConfigBlob;
  configBytes: Buffer;
  layers: LocalLayer[];
}

/**
 * What pull and push need from the local image store. Implemented over the image service's stores
 * (src/services/images/distribution.ts); a fake can stand in for tests.
 */
export interface ImagesForRegistry {
  // references
  /** The image a tag or digest reference points at. */
  refGet(ref: Reference): string | undefined;
  /** Every reference of a repository ("bb" → bb:latest, bb:v1, bb@sha256:…). */
  referencesByName(name: Reference): { ref: Reference; id: string }[];
  /** Points a tag at an image (moves it). */
  addTag(ref: Reference, id: string): Promise<void>;
  /** addDigestReference: records name@digest → id unless the digest is known already. */
  addDigest(ref: Reference, id: string): Promise<void>;

  // images
  hasImage(id: string): boolean;
  /** The image's config and layers; throws NotFoundError. */
  image(id: string): Promise<LocalImage>;
  /** Stores an image config whose layers are registered; returns the image id. */
  createImage(configBytes: Buffer): Promise<string>;
  /** Runs `fn` holding the store's lock (image and reference changes). */
  locked<T>(fn: () => Promise<T>): Promise<T>;

  // blobs
  hasBlob(digest: string): Promise<boolean>;
  /** A fresh scratch directory on the content store's filesystem; the caller removes it. */
  scratchDir(): Promise<string>;
  /** Moves a verified file into the content store as `digest` (dropped if the store has it already). */
  commitBlob(file: string, digest: string): Promise<void>;
  /** Removes a blob unless a layer or image uses it. */
  dropBlobIfUnused(digest: string): Promise<void>;
  readBlob(digest: string): Promise<Buffer>;
  blobStream(digest: string): Readable;

  // layers
  hasLayer(chainId: string): boolean;
  /**
   * Unpacks (or finds) the layer in blob `blob` over `parent`, refusing it when its diff id is not `diffId`.
   * The layer is held (kept by gc) until `releaseLayer`. `onProgress` gets the blob bytes read so far.
   */
  registerLayer(ctx: Ctx, parent: string | undefined, blob: LocalBlob, diffId: string, onProgress?: (bytes: number) => void, unpacked?: UnpackedLayer): Promise<LocalLayer>;
  /**
   * Unpacks the layer in blob `blob` into a dir of its own, before the layers below it are registered, refusing it
   * when its diff id is not `diffId`. Give the result to `registerLayer` (with the same blob and diff id), which
   * stacks it on its parent, or to `discardLayer`. `onProgress` gets the blob bytes read so far.
   */
  unpackLayer(ctx: Ctx, blob: LocalBlob, diffId: string, onProgress?: (bytes: number) => void): Promise<UnpackedLayer>;
  /** Removes an unpacked layer that will not be registered. */
  discardLayer(ctx: Ctx, layer: UnpackedLayer): Promise<void>;
  releaseLayer(chainId: string): void;

  /** Emits an image event (`pull`, `push`) with the familiar reference as id and the repository as `name`. */
  emit(action: string, id: string, name: string): void;
}
