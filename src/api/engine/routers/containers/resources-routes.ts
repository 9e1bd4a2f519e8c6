import os from 'node:os';
import type { ContainerService } from '../../../../services/containers/container-service.ts';
import { type StatsSample, emptyStats, statsJson } from '../../../../services/containers/stats.ts';
import { boolParam, objectBody } from '../../params.ts';
import type { ApiRequest, Router } from '../../router.ts';

const INTERVAL_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * `docker stats` and `docker update`: GET /containers/{id}/stats (a stream of one JSON object per second, or one
 * object: with `one-shot` at once, else after a second so that precpu_stats is filled) and POST
 * /containers/{id}/update.
 */
export function registerResourceRoutes(router: Router, cs: ContainerService): void {
  const ncpu = os.availableParallelism();
  const json = async (id: string, prev: StatsSample | undefined): Promise<{ body: Record<string, unknown>; sample?: StatsSample }> => {
    const rec = cs.store.get(id);
    const sample = await cs.statsSample(rec.Id).catch(() => undefined);
    if (!sample) return { body: emptyStats(rec) };
    return { body: statsJson(rec, sample, prev, cs.cgroups.machineMemory, ncpu), sample };
  };

  router.get('/containers/{id}/stats', async (req: ApiRequest, res) => {
    const rec = cs.store.get(req.params.id!);
    const stream = boolParam(req, 'stream', true);
    const oneShot = boolParam(req, 'one-shot');
    if (!stream) {
      let { body, sample } = await json(rec.Id, undefined);
      if (sample && !oneShot) {
        await sleep(INTERVAL_MS, req.signal);
        if (req.signal.aborted) return;
        body = (await json(rec.Id, sample)).body;
      }
      res.json(200, body);
      return;
    }
    const out = res.stream(undefined);
    let prev: StatsSample | undefined;
    while (!req.signal.aborted) {
      const { body, sample } = await json(rec.Id, prev).catch(() => ({ body: undefined, sample: undefined }));
      if (!body) break;
      prev = sample;
      if (!out.write(`${JSON.stringify(body)}\n`)) await new Promise((r) => out.once('drain', r));
      await sleep(INTERVAL_MS, req.signal);
    }
    out.end();
  });

  router.post('/containers/{id}/update', async (req, res) => {
    const body = await objectBody(req);
    res.json(200, await cs.update({ log: req.log }, req.params.id!, body));
  });
}
