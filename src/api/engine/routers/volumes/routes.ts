import { InvalidArgumentError, UnavailableError } from '../../../../common/errors.ts';
import type { VolumesService } from '../../../../services/volumes/volume-service.ts';
import { boolParam, filtersParam, objectBody } from '../../params.ts';
import type { ApiRequest, Router } from '../../router.ts';

export interface VolumeRouteDeps {
  volumes: VolumesService;
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field CreateOptions.${field} of type string`);
  return v;
}

function strMap(v: unknown, field: string): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new InvalidArgumentError(`json: cannot unmarshal into Go struct field CreateOptions.${field} of type map[string]string`);
  }
  return v as Record<string, string>;
}

function ctxOf(req: ApiRequest) {
  return { log: req.log };
}

/** The volume endpoints (moby's volume router): list, inspect, create, remove, prune; update is swarm-only. */
export function registerVolumeRoutes(router: Router, d: VolumeRouteDeps): void {
  const vs = d.volumes;

  router.get('/volumes', (req, res) => {
    res.json(200, vs.list(filtersParam(req)));
  });

  router.post('/volumes/create', async (req, res) => {
    const body = await objectBody(req);
    const name = str(body.Name, 'Name');
    const driver = str(body.Driver, 'Driver');
    const opts = strMap(body.DriverOpts, 'DriverOpts');
    const labels = strMap(body.Labels, 'Labels');
    const v = await vs.create(ctxOf(req), name, driver, { opts, labels });
    res.json(201, v);
  });

  router.post('/volumes/prune', async (req, res) => {
    res.json(200, await vs.prune(ctxOf(req), filtersParam(req), req.version));
  });

  router.get('/volumes/{name}', (req, res) => {
    res.json(200, vs.get(req.params.name!));
  });

  router.put('/volumes/{name}', () => {
    throw new UnavailableError('volume update only valid for cluster volumes, but swarm is unavailable');
  });

  router.delete('/volumes/{name}', async (req, res) => {
    await vs.remove(ctxOf(req), req.params.name!, { force: boolParam(req, 'force') });
    res.noContent();
  });
}
