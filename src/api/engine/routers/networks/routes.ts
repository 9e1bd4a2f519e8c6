import type { Ctx } from '../../../../common/ctx.ts';
import { InvalidArgumentError } from '../../../../common/errors.ts';
import { boolValue, filtersParam, objectBody } from '../../params.ts';
import type { ApiRequest, Router } from '../../router.ts';
import type { NetworksBackend } from './backend.ts';
import { toCreateRequest, toEndpointConfig } from './wire.ts';

export interface NetworkRouteDeps {
  networks: NetworksBackend;
}

function ctxOf(req: ApiRequest): Ctx {
  return { log: req.log, signal: req.signal };
}

/** The /networks endpoints of the Engine API. */
export function registerNetworkRoutes(router: Router, d: NetworkRouteDeps): void {
  const nb = d.networks;

  router.get('/networks', async (req, res) => {
    res.json(200, await nb.list(ctxOf(req), filtersParam(req)));
  });

  router.post('/networks/create', async (req, res) => {
    res.json(201, await nb.create(ctxOf(req), toCreateRequest(await objectBody(req))));
  });

  router.post('/networks/prune', async (req, res) => {
    res.json(200, await nb.prune(ctxOf(req), filtersParam(req)));
  });

  router.get('/networks/{id}', async (req, res) => {
    res.json(200, await nb.inspect(ctxOf(req), req.params.id!, req.query.get('scope') ?? undefined));
  });

  router.delete('/networks/{id}', async (req, res) => {
    await nb.remove(ctxOf(req), req.params.id!);
    res.noContent(204);
  });

  router.post('/networks/{id}/connect', async (req, res) => {
    const b = await objectBody(req);
    if (typeof b.Container !== 'string' || b.Container === '') throw new InvalidArgumentError('invalid JSON: field Container must be a non-empty string');
    await nb.connect(ctxOf(req), req.params.id!, b.Container, toEndpointConfig(b.EndpointConfig));
    res.noContent(200);
  });

  router.post('/networks/{id}/disconnect', async (req, res) => {
    const b = await objectBody(req);
    if (typeof b.Container !== 'string' || b.Container === '') throw new InvalidArgumentError('invalid JSON: field Container must be a non-empty string');
    const force = typeof b.Force === 'boolean' ? b.Force : boolValue(b.Force === undefined ? undefined : String(b.Force));
    await nb.disconnect(ctxOf(req), req.params.id!, b.Container, force);
    res.noContent(200);
  });
}
