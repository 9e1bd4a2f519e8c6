import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Ctx } from '../../../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, NotFoundError, NotImplementedError } from '../../../../common/errors.ts';
import { applyChanges, pickImageConfig } from '../../../../domain/image/changes.ts';
import type { ImageConfig } from '../../../../domain/image/config.ts';
import {
  familiarName,
  familiarString,
  isDigest,
  parseNormalizedNamed,
  type Reference,
  repoTagReference,
  tagNameOnly,
  trimNamed,
  withDigest,
  withTag,
} from '../../../../domain/image/reference.ts';
import type { EventsService } from '../../../../services/events/events.ts';
import type { ImageService } from '../../../../services/images/image-service.ts';
import { boolParam, filtersParam, jsonBody } from '../../params.ts';
import type { ApiRequest, ApiResponse, Handler, Router } from '../../router.ts';
import { JsonProgress } from './progress.ts';
import { inspectView, listEntryView } from './views.ts';

export interface ImageRouteDeps {
  images: ImageService;
  /** The bus ImageService was created with; the service emits the image events itself. */
  events: EventsService;
  /** Pulls for `POST /images/create?fromImage=` (registry-routes.ts pullImageHandler). */
  pull?: Handler;
}

function ctxOf(req: ApiRequest): Ctx {
  return { log: req.log, signal: req.signal };
}

/** Lets an unread request body go (keep-alive framing needs it consumed) before answering an error. */
function drain(req: ApiRequest): void {
  if (!req.raw.readableEnded) req.raw.resume();
}

async function sendTar(req: ApiRequest, res: ApiResponse, tar: Readable): Promise<void> {
  const out = res.stream('application/x-tar');
  req.signal.addEventListener('abort', () => tar.destroy(), { once: true });
  try {
    await pipeline(tar, out);
  } catch (err) {
    req.log.debug('tar stream ended early', { path: req.path, error: String(err) });
    out.destroy();
  }
}

/** The fromImage/tag of a pull, validated as dockerd does before it would contact a registry. */
function pullReference(image: string, tag: string): Reference {
  let ref = parseNormalizedNamed(image.replace(/:$/, ''));
  if (tag !== '') ref = isDigest(tag) ? withDigest(trimNamed(ref), tag) : withTag(ref, tag);
  if (familiarName(ref) === 'scratch') throw new ForbiddenError("'scratch' is a reserved name");
  return ref;
}

function commitConfig(body: unknown): ImageConfig | undefined {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const c = pickImageConfig(body as ImageConfig & Record<string, unknown>);
  return Object.keys(c).length ? c : undefined;
}

/**
 * Image endpoints (local images; pull is delegated to `deps.pull`, push lives in registry-routes.ts) and the
 * container endpoints that are image work: commit, export, changes. Specific paths are registered before the
 * greedy `{name*}` ones.
 */
export function registerImageRoutes(router: Router, deps: ImageRouteDeps): void {
  const images = deps.images;

  router.get('/images/json', (req, res) => {
    const list = images.list(boolParam(req, 'all'), filtersParam(req));
    res.json(
      200,
      list.map((i) => listEntryView(i, req.version)),
    );
  });

  router.post('/images/create', async (req, res) => {
    const q = req.query;
    const fromImage = q.get('fromImage') ?? '';
    const fromSrc = q.get('fromSrc') ?? '';
    if (fromImage !== '') {
      if (deps.pull) return deps.pull(req, res);
      drain(req);
      const ref = pullReference(fromImage, q.get('tag') ?? '');
      const local = (() => {
        try {
          return images.get(refStringFor(ref));
        } catch (err) {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        }
      })();
      if (!local) {
        throw new NotImplementedError(
          `cannot pull ${familiarString(tagNameOnly(ref))}: pulling from registries is not supported by berth yet (use "docker load" or "docker import")`,
        );
      }
      const p = new JsonProgress(res);
      p.write({ status: `Status: Image is up to date for ${familiarString(tagNameOnly(ref))}` });
      p.end();
      return;
    }
    if (fromSrc === '') {
      drain(req);
      throw new InvalidArgumentError('either fromImage or fromSrc is required');
    }
    if (fromSrc !== '-') {
      drain(req);
      throw new NotImplementedError('importing from a URL is not supported by berth yet: send the tar in the request body (fromSrc=-)');
    }
    let ref: Reference | undefined;
    const changes = q.getAll('changes');
    try {
      ref = repoTagReference(q.get('repo') ?? '', q.get('tag') ?? '');
      applyChanges({}, changes);
    } catch (err) {
      drain(req);
      throw err;
    }
    const img = await images.import(ctxOf(req), req.raw, { ref, changes, message: q.get('message') ?? '' });
    const p = new JsonProgress(res);
    p.write({ status: img.id });
    p.end();
  });

  router.post('/images/load', async (req, res) => {
    const quiet = req.query.has('quiet') ? boolParam(req, 'quiet') : true;
    const p = new JsonProgress(res);
    try {
      await images.load(ctxOf(req), req.raw, quiet, (m) => p.write(m.stream !== undefined ? { stream: m.stream } : m));
    } catch (err) {
      drain(req);
      p.writeError(err);
    }
    p.end();
  });

  router.post('/images/prune', async (req, res) => {
    res.json(200, await images.prune(ctxOf(req), filtersParam(req)));
  });

  router.get('/images/get', async (req, res) => {
    const names = req.query.getAll('names').flatMap((n) => n.split(','));
    await sendTar(req, res, images.save(names));
  });

  router.get('/images/search', () => {
    throw new NotImplementedError('searching registries is not supported by berth yet');
  });

  router.get('/images/{name*}/json', (req, res) => {
    const name = req.params.name!;
    try {
      res.json(200, inspectView(images.inspect(name), req.version));
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`no such image: ${name}: ${err.message}`);
      throw err;
    }
  });

  router.get('/images/{name*}/history', (req, res) => {
    res.json(200, images.history(req.params.name!));
  });

  router.get('/images/{name*}/get', async (req, res) => {
    await sendTar(req, res, images.save([req.params.name!]));
  });

  router.post('/images/{name*}/tag', async (req, res) => {
    const ref = repoTagReference(req.query.get('repo') ?? '', req.query.get('tag') ?? '');
    if (!ref) throw new InvalidArgumentError('repository name must have at least one component');
    await images.tag(req.params.name!, ref);
    res.noContent(201);
  });

  router.delete('/images/{name*}', async (req, res) => {
    res.json(200, await images.remove(ctxOf(req), req.params.name!, boolParam(req, 'force'), boolParam(req, 'noprune')));
  });

  router.post('/commit', async (req, res) => {
    const q = req.query;
    const body = await jsonBody(req);
    const ref = repoTagReference(q.get('repo') ?? '', q.get('tag') ?? '');
    const img = await images.commit(ctxOf(req), {
      container: q.get('container') ?? '',
      ref,
      comment: q.get('comment') ?? '',
      author: q.get('author') ?? '',
      changes: q.getAll('changes'),
      pause: q.has('pause') && q.get('pause') !== '' ? boolParam(req, 'pause') : true,
      config: commitConfig(body),
    });
    res.json(201, { Id: img.id });
  });

  router.get('/containers/{id}/export', async (req, res) => {
    const tar = await images.exportContainer(ctxOf(req), req.params.id!);
    await sendTar(req, res, tar);
  });

  router.get('/containers/{id}/changes', async (req, res) => {
    res.json(200, await images.changes(ctxOf(req), req.params.id!));
  });
}

function refStringFor(ref: Reference): string {
  return familiarString(ref.tag === undefined && ref.digest === undefined ? tagNameOnly(ref) : ref);
}
