import type { Ctx } from '../../../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError } from '../../../../common/errors.ts';
import { familiarName, isDigest, parseNormalizedNamed, type Reference, trimNamed, withDigest, withTag } from '../../../../domain/image/reference.ts';
import { authConfigFrom, decodeRegistryAuth } from '../../../../domain/registry/auth-config.ts';
import type { RegistryService } from '../../../../services/registry/registry-service.ts';
import { jsonBody } from '../../params.ts';
import type { ApiRequest, ApiResponse, Handler, Router } from '../../router.ts';
import { JsonProgress } from './progress.ts';

export interface RegistryRouteDeps {
  registry: RegistryService;
}

function ctxOf(req: ApiRequest): Ctx {
  return { log: req.log, signal: req.signal };
}

function drain(req: ApiRequest): void {
  if (!req.raw.readableEnded) req.raw.resume();
}

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The `fromImage`/`tag` of `POST /images/create` as moby's postImagesCreate reads them: a trailing ":" (old
 * `pull -a` clients) is dropped, the tag may be a digest, and no tag at all means every tag.
 */
export function pullReference(fromImage: string, tag: string): Reference {
  let ref = parseNormalizedNamed(fromImage.replace(/:$/, ''));
  if (tag !== '') ref = isDigest(tag) ? withDigest(trimNamed(ref), tag) : withTag(ref, tag);
  if (familiarName(ref) === 'scratch') throw new ForbiddenError("'scratch' is a reserved name");
  return ref;
}

/**
 * `POST /images/create?fromImage=…&tag=…&platform=…` (pull): a JSON progress stream; errors before the first
 * message are plain HTTP errors, later ones `errorDetail` lines. registerImageRoutes delegates here.
 */
export function pullImageHandler(deps: RegistryRouteDeps): Handler {
  return async (req: ApiRequest, res: ApiResponse) => {
    drain(req);
    const q = req.query;
    const ref = pullReference(q.get('fromImage') ?? '', q.get('tag') ?? '');
    const p = new JsonProgress(res);
    try {
      await deps.registry.pull(
        ctxOf(req),
        { ref, platform: q.get('platform') ?? '', auth: decodeRegistryAuth(header(req, 'x-registry-auth')), clientUserAgent: header(req, 'user-agent') ?? '' },
        (m) => p.write(m),
      );
    } catch (err) {
      if (!p.started) throw err;
      req.log.info('pull failed', { image: q.get('fromImage'), error: String(err) });
      p.writeError(err);
    }
    p.end();
  };
}

/** Push, login and distribution inspect. Pull lives on `POST /images/create` (see pullImageHandler). */
export function registerRegistryRoutes(router: Router, deps: RegistryRouteDeps): { pull: Handler } {
  const registry = deps.registry;

  router.post('/images/{name*}/push', async (req, res) => {
    drain(req);
    const name = req.params.name!;
    const tag = req.query.get('tag') ?? '';
    let ref = parseNormalizedNamed(name);
    if (tag !== '') ref = withTag(ref, tag);
    const p = new JsonProgress(res);
    try {
      await registry.push(ctxOf(req), { ref, auth: decodeRegistryAuth(header(req, 'x-registry-auth')), clientUserAgent: header(req, 'user-agent') ?? '' }, (m) => p.write(m));
    } catch (err) {
      if (!p.started) throw err;
      req.log.info('push failed', { image: name, error: String(err) });
      p.writeError(err);
    }
    p.end();
  });

  router.post('/auth', async (req, res) => {
    const body = await jsonBody(req);
    if (body === undefined) throw new InvalidArgumentError('invalid JSON: unexpected end of JSON input');
    const out = await registry.login(ctxOf(req), authConfigFrom(body), header(req, 'user-agent'));
    res.json(200, { IdentityToken: out.IdentityToken ?? '', Status: out.Status });
  });

  router.get('/distribution/{name*}/json', async (req, res) => {
    res.json(200, await registry.inspect(ctxOf(req), req.params.name!, decodeRegistryAuth(header(req, 'x-registry-auth')), header(req, 'user-agent')));
  });

  return { pull: pullImageHandler(deps) };
}
