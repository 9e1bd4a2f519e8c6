import { InvalidArgumentError, NotImplementedError } from '../../../../common/errors.ts';
import { parseUnixTimestamp } from '../../../../drivers/logging/k8s-file/record.ts';
import type { ContainerService } from '../../../../services/containers/container-service.ts';
import { boolParam } from '../../params.ts';
import type { ApiRequest, Router } from '../../router.ts';
import { frame, streamContentType } from '../../streams/mux.ts';

function timeParam(req: ApiRequest, name: string): bigint | undefined {
  const v = req.query.get(name);
  if (v === null || v === '' || v === '0') return undefined;
  const ns = parseUnixTimestamp(v);
  if (ns === undefined) throw new InvalidArgumentError(`invalid value for ${name}: ${v}`);
  return ns;
}

/** GET /containers/{id}/logs: json-file semantics over conmon's k8s-file logs; frames unless the container has a TTY. */
export function registerLogRoutes(router: Router, cs: ContainerService): void {
  router.get('/containers/{id}/logs', async (req, res) => {
    const rec = cs.store.get(req.params.id!);
    const stdout = boolParam(req, 'stdout');
    const stderr = boolParam(req, 'stderr');
    if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
    if (rec.HostConfig.LogConfig.Type === 'none') throw new NotImplementedError('configured logging driver does not support reading');
    const tailRaw = req.query.get('tail') ?? 'all';
    let tail: number | 'all' = 'all';
    if (tailRaw !== 'all' && tailRaw !== '') {
      const n = Number(tailRaw);
      tail = Number.isInteger(n) && n >= 0 ? n : 'all';
    }
    const sinceNs = timeParam(req, 'since');
    const untilNs = timeParam(req, 'until');
    const follow = boolParam(req, 'follow') && rec.State.Running;
    const timestamps = boolParam(req, 'timestamps');
    const tty = rec.Config.Tty;
    const stopped = follow ? cs.wait(rec.Id, 'not-running', req.signal) : undefined;
    const out = res.stream(req.version >= 1.42 ? streamContentType(req.version, tty) : undefined);
    const ac = new AbortController();
    req.signal.addEventListener('abort', () => ac.abort());
    try {
      for await (const e of cs.logs.read(cs.logPath(rec.Id), { stdout, stderr, tail, sinceNs, untilNs, follow, stopped, signal: ac.signal })) {
        if (req.signal.aborted) break;
        const payload = timestamps ? Buffer.concat([Buffer.from(`${e.time} `), e.data]) : e.data;
        const ok = out.write(tty ? payload : frame(e.stream === 'stdout' ? 1 : 2, payload));
        if (!ok) await new Promise((r) => out.once('drain', r));
      }
    } catch (err) {
      if (!req.signal.aborted) req.log.warn('reading logs failed', { id: rec.Id, error: (err as Error).message });
    }
    out.end();
  });
}
