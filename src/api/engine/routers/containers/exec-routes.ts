import { InvalidArgumentError } from '../../../../common/errors.ts';
import type { ExecService } from '../../../../services/containers/exec-service.ts';
import { intParam, objectBody } from '../../params.ts';
import type { Router } from '../../router.ts';
import { frame, streamContentType } from '../../streams/mux.ts';
import { parseDetachKeys, pump } from './attach.ts';

export function registerExecRoutes(router: Router, execs: ExecService): void {
  router.post('/containers/{id}/exec', async (req, res) => {
    const body = await objectBody(req);
    res.json(201, execs.create(req.params.id!, body));
  });

  router.post('/exec/{id}/start', async (req, res) => {
    const body = await objectBody(req);
    const e = execs.get(req.params.id!);
    const detach = body.Detach === true;
    const tty = typeof body.Tty === 'boolean' ? body.Tty : e.Config.Tty;
    const cs = req.version >= 1.42 && Array.isArray(body.ConsoleSize) && body.ConsoleSize.length === 2 ? (body.ConsoleSize as [number, number]) : undefined;
    let keys: number[];
    try {
      keys = parseDetachKeys(e.Config.DetachKeys || null);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    if (detach) {
      const started = await execs.start({ log: req.log }, req.params.id!, { tty, consoleSize: cs });
      started.streams.close();
      res.json(200, {});
      return;
    }
    // as dockerd: the checks answer with a status; a failure of the OCI runtime comes after the upgrade, as text on
    // the stream (the exec then has exit code 126, which the CLI reads from the exec's inspect)
    execs.precheck(req.params.id!);
    const sock = res.hijack(streamContentType(req.version, tty));
    let started: Awaited<ReturnType<ExecService['start']>>;
    try {
      started = await execs.start({ log: req.log }, req.params.id!, { tty, consoleSize: cs });
    } catch (err) {
      const msg = `${(err as Error).message}\r\n`;
      sock.end(tty ? msg : frame(1, Buffer.from(msg)));
      return;
    }
    await pump(sock, started.streams, {
      tty,
      stdin: e.Config.AttachStdin,
      stdout: e.Config.AttachStdout,
      stderr: e.Config.AttachStderr,
      closeStdinOnEnd: true,
      detachKeys: keys,
      endAfter: started.exit,
    });
  });

  router.post('/exec/{id}/resize', async (req, res) => {
    await execs.resize(req.params.id!, intParam(req, 'h') ?? 0, intParam(req, 'w') ?? 0);
    res.text(200, '', 'text/plain; charset=utf-8');
  });

  router.get('/exec/{id}/json', (req, res) => {
    res.json(200, execs.inspect(req.params.id!));
  });
}
