import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { backgroundCtx } from '../../../../common/ctx.ts';
import { nullLogger } from '../../../../common/log.ts';
import { EventsService } from '../../../../services/events/events.ts';
import { ImageService } from '../../../../services/images/image-service.ts';
import { BUSYBOX_CHANGES, busyboxRootfsTar } from '../../../../services/images/testing/busybox-image.ts';
import { run } from '../../../../system/exec/exec.ts';
import { Router } from '../../router.ts';
import { ApiServer } from '../../server.ts';
import { registerImageRoutes } from './routes.ts';

/**
 * The stock docker CLI against the image routes (plus a bare /_ping): import, images, tag, rmi, inspect, history,
 * save, load, pull errors and prune, with Docker's wording. Needs root (layer ownership) and /usr/local/bin/docker.
 */
const hasDocker = await access('/usr/local/bin/docker').then(
  () => true,
  () => false,
);

describe('image routes with the docker CLI', { skip: (process.getuid?.() !== 0 && 'needs root') || (!hasDocker && 'no docker CLI') }, () => {
  let dir: string;
  let server: ApiServer;
  let sock: string;
  const events = new EventsService();

  const docker = async (args: string[], input?: Buffer) => {
    const env = { ...process.env, DOCKER_CONFIG: `${dir}/cfg`, DOCKER_HOST: `unix://${sock}` };
    return run(backgroundCtx, 'docker', args, { env, input, allowFail: true });
  };

  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-image-routes-`);
    sock = `${dir}/api.sock`;
    const images = await ImageService.create({ dataRoot: `${dir}/data`, events });
    const router = new Router();
    router.head('/_ping', (_req, res) => res.text(200, 'OK'));
    router.get('/_ping', (_req, res) => res.text(200, 'OK'));
    registerImageRoutes(router, { images, events });
    server = new ApiServer(router, nullLogger);
    await server.listen({ address: `unix://${sock}` });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports, lists, tags, inspects and untags', async () => {
    const rootfs = await busyboxRootfsTar();
    const imp = await docker(['import', ...BUSYBOX_CHANGES.flatMap((c) => ['-c', c]), '-m', 'from berth', '-', 'bb:latest'], rootfs);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const id = imp.stdout.trim();

    const ls = await docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    assert.equal(ls.stdout.trim(), `bb:latest ${id.slice(7, 19)}`);

    assert.equal((await docker(['tag', 'bb', 'localhost:5000/ns/bb:v2'])).code, 0);
    const insp = await docker(['image', 'inspect', 'localhost:5000/ns/bb:v2', '--format', '{{json .Config.Cmd}}|{{.Comment}}|{{json .RepoTags}}|{{.RootFS.Type}}']);
    assert.equal(insp.stdout.trim(), '["sh"]|from berth|["bb:latest","localhost:5000/ns/bb:v2"]|layers');

    const rmi = await docker(['rmi', 'localhost:5000/ns/bb:v2']);
    assert.equal(rmi.stdout.trim(), 'Untagged: localhost:5000/ns/bb:v2');

    const hist = await docker(['history', '--no-trunc', '--format', '{{.ID}} {{.Comment}}', 'bb']);
    assert.equal(hist.stdout.trim(), `${id} from berth`);

    const missing = await docker(['image', 'inspect', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image: nosuch/);
  });

  it('refuses pulls with clear errors', async () => {
    const bad = await docker(['pull', 'Bad']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid reference format: repository name \(library\/Bad\) must be lowercase/);
    const pull = await docker(['pull', 'nosuch:1']);
    assert.notEqual(pull.code, 0);
    assert.match(pull.stderr, /pulling from registries is not supported by berth yet/);
    const local = await docker(['pull', 'bb']);
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, /Image is up to date for bb:latest/);
  });

  it('saves, removes and loads back; prunes', async () => {
    const file = `${dir}/bb.tar`;
    assert.equal((await docker(['save', '-o', file, 'bb:latest'])).code, 0);
    const rmi = await docker(['rmi', 'bb']);
    assert.match(rmi.stdout, /^Untagged: bb:latest\nDeleted: sha256:[0-9a-f]{64}\nDeleted: sha256:[0-9a-f]{64}\n$/);
    const load = await docker(['load', '-i', file]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout.trim(), 'Loaded image: bb:latest');
    const prune = await docker(['image', 'prune', '-f']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /Total reclaimed space: 0B/);
    const actions = events.history(0n).map((e) => e.Action);
    for (const a of ['import', 'tag', 'untag', 'delete', 'save', 'load', 'prune']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
  });
});
