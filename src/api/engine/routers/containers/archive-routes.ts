import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encodePathStat } from '../../../../domain/container/archive-paths.ts';
import type { ContainerArchive } from '../../../../services/containers/archive.ts';
import { boolParam } from '../../params.ts';
import type { ApiRequest, Router } from '../../router.ts';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';
const DRAIN_LIMIT = 64 << 20;

function ctxOf(req: ApiRequest) {
  return { log: req.log };
}

/**
 * `docker cp`: HEAD (stat in the X-Docker-Container-Path-Stat header), GET (a tar of the path, with the stat
 * header) and PUT (a tar unpacked into a directory) on /containers/{id}/archive?path=…, as moby's router.
 */
export function registerArchiveRoutes(router: Router, archive: ContainerArchive): void {
  router.head('/containers/{id}/archive', async (req, res) => {
    const stat = await archive.stat(ctxOf(req), req.params.id!, req.query.get('path') ?? '');
    res.text(200, '', 'text/plain; charset=utf-8', { [STAT_HEADER]: encodePathStat(stat) });
  });

  router.get('/containers/{id}/archive', async (req, res) => {
    const { stat, tar } = await archive.archive(ctxOf(req), req.params.id!, req.query.get('path') ?? '');
    const out = res.stream('application/x-tar', 200, { [STAT_HEADER]: encodePathStat(stat) });
    req.signal.addEventListener('abort', () => tar.destroy(), { once: true });
    try {
      await pipeline(tar, out);
    } catch (err) {
      if (!req.signal.aborted) req.log.warn('archive stream failed', { id: req.params.id!, error: (err as Error).message });
      out.destroy();
    }
  });

  router.put('/containers/{id}/archive', async (req, res) => {
    // the extractor may stop reading early (an error): the rest of the upload is drained, not cut off, so the
    // client reads the answer instead of a reset connection
    const body = new PassThrough();
    req.raw.pipe(body);
    try {
      await archive.extract(ctxOf(req), req.params.id!, req.query.get('path') ?? '', body, {
        noOverwriteDirNonDir: boolParam(req, 'noOverwriteDirNonDir'),
        copyUIDGID: boolParam(req, 'copyUIDGID'),
      });
    } catch (err) {
      await drain(req);
      throw err;
    }
    res.text(200, '', 'text/plain; charset=utf-8');
  });
}

/** Reads what is left of a request body (at most DRAIN_LIMIT bytes, as Go's server discards before closing). */
function drain(req: ApiRequest): Promise<void> {
  const raw = req.raw;
  raw.unpipe();
  if (raw.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      raw.off('data', onData);
      resolve();
    };
    const onData = (b: Buffer) => {
      seen += b.length;
      if (seen > DRAIN_LIMIT) done();
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.resume();
  });
}
