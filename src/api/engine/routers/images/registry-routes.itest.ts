import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { backgroundCtx } from '../../../../common/ctx.ts';
import { nullLogger } from '../../../../common/log.ts';
import { EventsService } from '../../../../services/events/events.ts';
import { ImageService } from '../../../../services/images/image-service.ts';
import { importBusyboxImage } from '../../../../services/images/testing/busybox-image.ts';
import { RegistryService } from '../../../../services/registry/registry-service.ts';
import { htpasswdLine } from '../../../../services/registry/testing/fixtures.ts';
import { loopbackLookup, skipReason } from '../../../../services/registry/testing/harness.ts';
import { type RegistryServer, startRegistry } from '../../../../services/registry/testing/registry-server.ts';
import { run } from '../../../../system/exec/exec.ts';
import { Router } from '../../router.ts';
import { ApiServer } from '../../server.ts';
import { registerRegistryRoutes } from './registry-routes.ts';
import { registerImageRoutes } from './routes.ts';

/**
 * The stock docker CLI against the image and registry routes (no berthd): push, pull, login and their errors
 * against Debian's docker-registry on 127.0.0.1, rendered by the CLI as it renders dockerd's streams.
 */
const hasDocker = await access('/usr/local/bin/docker').then(
  () => true,
  () => false,
);
const skip = (await skipReason()) || (!hasDocker && 'no docker CLI');

interface Daemon {
  sock: string;
  images: ImageService;
  server: ApiServer;
  registry: RegistryService;
}

describe('registry routes with the docker CLI', { skip }, () => {
  let dir: string;
  let reg: RegistryServer;
  let basic: RegistryServer | undefined;
  let one: Daemon;
  let two: Daemon;

  const start = async (name: string): Promise<Daemon> => {
    const events = new EventsService();
    const images = await ImageService.create({ dataRoot: `${dir}/${name}`, events });
    const registry = new RegistryService({ images: images.distribution(), lookup: loopbackLookup, maxDownloadAttempts: 1, certsDir: `${dir}/certs.d` });
    const router = new Router();
    router.head('/_ping', (_req, res) => res.text(200, 'OK'));
    router.get('/_ping', (_req, res) => res.text(200, 'OK'));
    const { pull } = registerRegistryRoutes(router, { registry });
    registerImageRoutes(router, { images, events, pull });
    const server = new ApiServer(router, nullLogger);
    const sock = `${dir}/${name}.sock`;
    await server.listen({ address: `unix://${sock}` });
    return { sock, images, server, registry };
  };
  const docker = (d: Daemon, args: string[]) => run(backgroundCtx, 'docker', args, { env: { ...process.env, DOCKER_CONFIG: `${dir}/cfg-${d.sock.length}`, DOCKER_HOST: `unix://${d.sock}` }, allowFail: true });

  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-registry-routes-`);
    reg = await startRegistry({ dir: `${dir}/reg` });
    one = await start('one');
    two = await start('two');
  });
  after(async () => {
    for (const d of [one, two]) {
      await d?.server.close();
      d?.registry.close();
    }
    await reg?.stop();
    await basic?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('docker push, then docker pull on another daemon, with dockerd output', async () => {
    await importBusyboxImage(one.images, `${reg.host}/bb:v1`);
    const push = await docker(one, ['push', `${reg.host}/bb:v1`]);
    assert.equal(push.code, 0, push.stderr);
    const lines = push.stdout.trim().split('\n');
    assert.equal(lines[0], `The push refers to repository [${reg.host}/bb]`);
    assert.match(lines[1]!, /^[0-9a-f]{12}: (Preparing|Pushed)$/);
    const digestLine = lines.find((l) => l.startsWith('v1: digest: '))!;
    assert.match(digestLine, /^v1: digest: sha256:[0-9a-f]{64} size: \d+$/);
    const digest = digestLine.split(' ')[2];

    const pull = await docker(two, ['pull', `${reg.host}/bb:v1`]);
    assert.equal(pull.code, 0, pull.stderr);
    const out = pull.stdout.trim().split('\n');
    assert.equal(out[0], 'v1: Pulling from bb');
    const id = out[1]!.slice(0, 12);
    assert.deepEqual(out.slice(1, -3), [`${id}: Pulling fs layer`, `${id}: Verifying Checksum`, `${id}: Download complete`, `${id}: Pull complete`], pull.stdout);
    assert.deepEqual(out.slice(-3), [`Digest: ${digest}`, `Status: Downloaded newer image for ${reg.host}/bb:v1`, `${reg.host}/bb:v1`]);
    const again = await docker(two, ['pull', '-q', `${reg.host}/bb:v1`]);
    assert.equal(again.stdout.trim(), `${reg.host}/bb:v1`);
    const digests = await docker(two, ['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
    assert.equal(digests.stdout.trim(), `${reg.host}/bb v1 ${digest}`);
  });

  it('reports registry errors as dockerd does', async () => {
    const missing = await docker(two, ['pull', `${reg.host}/nope:v1`]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), `Error response from daemon: manifest for ${reg.host}/nope:v1 not found: manifest unknown: manifest unknown`);
    const refused = await docker(two, ['pull', '127.0.0.1:9/x']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Error response from daemon: Get "http:\/\/127\.0\.0\.1:9\/v2\/": dial tcp 127\.0\.0\.1:9: connect: connection refused/);
    await importBusyboxImage(one.images, '127.0.0.1:9/bb:v1');
    const push = await docker(one, ['push', '127.0.0.1:9/bb:v1']);
    assert.equal(push.code, 1);
    assert.equal(push.stdout.trim(), 'The push refers to repository [127.0.0.1:9/bb]');
    assert.match(push.stderr, /Get "http:\/\/127\.0\.0\.1:9\/v2\/": dial tcp 127\.0\.0\.1:9: connect: connection refused/);
    const bad = await docker(two, ['pull', 'Bad']);
    assert.match(bad.stderr, /invalid reference format: repository name \(library\/Bad\) must be lowercase/);
  });

  it('docker login to an htpasswd registry, then pulls with the stored credentials', async (t) => {
    const line = await htpasswdLine('carol', 'pw1');
    if (!line) return t.skip('htpasswd (apache2-utils) is missing');
    await mkdir(`${dir}/basic`, { recursive: true });
    await writeFile(`${dir}/basic/htpasswd`, `${line}\n`);
    basic = await startRegistry({ dir: `${dir}/basic`, htpasswd: `${dir}/basic/htpasswd` });
    await importBusyboxImage(one.images, `${basic.host}/private:1`);
    const denied = await docker(one, ['push', `${basic.host}/private:1`]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /no basic auth credentials/);
    const wrong = await docker(one, ['login', '-u', 'carol', '-p', 'nope', basic.host]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`login attempt to http://${basic.host.replace(/\./g, '\\.')}/v2/ failed with status: 401 Unauthorized`));
    const ok = await docker(one, ['login', '-u', 'carol', '-p', 'pw1', basic.host]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    const push = await docker(one, ['push', `${basic.host}/private:1`]);
    assert.equal(push.code, 0, push.stderr);
    await docker(one, ['rmi', `${basic.host}/private:1`]);
    const pull = await docker(one, ['pull', `${basic.host}/private:1`]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /Status: (Downloaded newer image|Image is up to date) for /);
  });
});
