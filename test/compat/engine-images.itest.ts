import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCmd } from '../support/proc.ts';
import { assertExit, assertStderr, assertStdout, useSandbox } from './helpers.ts';

/** Images: import, tag, rmi, save (checked by skopeo and umoci, tools nobody here wrote) and load. */
const sandbox = useSandbox({ label: 'img' });

describe('images', () => {
  test('the imported image carries the import options', async () => {
    const sb = sandbox();
    const line = await sb.dockerOk(['image', 'inspect', '-f', '{{.Comment}}|{{json .Config.Cmd}}|{{.Os}}|{{.Architecture}}|{{len .RootFS.Layers}}', 'bb']);
    assert.equal(line, 'busybox for tests|["sh"]|linux|amd64|1');
    const list = await sb.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.ok(list.split('\n').includes('bb:latest'), `docker images:\n${list}`);
  });

  test('tag and rmi of a tag', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['image', 'inspect', '-f', '{{.Id}}', 'bb']);
    await sb.dockerOk(['tag', 'bb', 'bb:v2']);
    await sb.dockerOk(['tag', 'bb:latest', 'localhost:5000/team/bb:1']);
    const rows = (await sb.dockerOk(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).split('\n');
    for (const ref of ['bb:latest', 'bb:v2', 'localhost:5000/team/bb:1']) assert.ok(rows.includes(`${ref} ${id}`), `${ref} ${id} in\n${rows.join('\n')}`);
    assert.equal(await sb.dockerOk(['image', 'inspect', '-f', '{{.Id}}', 'localhost:5000/team/bb:1']), id);

    const untag = await sb.docker(['rmi', 'bb:v2']);
    assertExit(sb, untag, 0);
    assertStdout(sb, untag, 'Untagged: bb:v2');
    assertStdout(sb, await sb.docker(['rmi', 'localhost:5000/team/bb:1']), 'Untagged: localhost:5000/team/bb:1');
    assert.equal(await sb.dockerOk(['image', 'inspect', '-f', '{{.Id}}', 'bb']), id, 'the image stays while a tag is left');
  });

  test('rmi: unknown image and image in use', async () => {
    const sb = sandbox();
    const unknown = await sb.docker(['rmi', 'nosuch']);
    assertExit(sb, unknown, 1);
    assertStderr(sb, unknown, 'Error response from daemon: No such image: nosuch:latest');

    const cid = await sb.dockerOk(['create', '--name', 'user1', 'bb', 'true']);
    const inUse = await sb.docker(['rmi', 'bb']);
    assertExit(sb, inUse, 1);
    assertStderr(sb, inUse, new RegExp(`conflict: unable to remove repository reference "bb" \\(must force\\) - container ${cid.slice(0, 12)} is using its referenced image [0-9a-f]{12}`));
    await sb.dockerOk(['rm', 'user1']);
  });

  test('docker save writes an archive that skopeo reads and umoci unpacks', async () => {
    const sb = sandbox();
    const tar = join(sb.dir, 'bb-save.tar');
    assertExit(sb, await sb.docker(['save', '-o', tar, 'bb']), 0);
    assert.ok(statSync(tar).size > 500_000, 'archive holds the busybox layer');

    const sk = await runCmd(['skopeo', 'inspect', `docker-archive:${tar}`]);
    assert.equal(sk.code, 0, `skopeo inspect docker-archive:${tar}\n${sk.stderr}`);
    const info = JSON.parse(sk.stdout) as { Os: string; Architecture: string; Layers: string[] };
    assert.equal(info.Os, 'linux');
    assert.equal(info.Architecture, 'amd64');
    assert.equal(info.Layers.length, 1);
    assert.match(info.Layers[0]!, /^sha256:[0-9a-f]{64}$/);

    // the same archive is an OCI image layout (as docker save writes since v25)
    const layout = join(sb.dir, 'bb-layout');
    mkdirSync(layout);
    const x = await runCmd(['tar', '-C', layout, '-xf', tar]);
    assert.equal(x.code, 0, x.stderr);
    assert.ok(existsSync(join(layout, 'oci-layout')), 'oci-layout file');
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
    const refName = index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'];
    assert.equal(refName, 'latest', `index.json: ${JSON.stringify(index)}`);
    const skOci = await runCmd(['skopeo', 'inspect', `oci:${layout}:latest`]);
    assert.equal(skOci.code, 0, `skopeo inspect oci:…\n${skOci.stderr}`);

    const bundle = join(sb.dir, 'bb-bundle');
    const un = await sb.exec(['umoci', 'unpack', '--image', `${layout}:latest`, bundle]);
    assert.equal(un.code, 0, `umoci unpack\n${un.stdout}${un.stderr}`);
    const busybox = join(bundle, 'rootfs/bin/busybox');
    assert.ok(statSync(busybox).mode & 0o111, 'busybox is executable');
    assert.ok(lstatSync(join(bundle, 'rootfs/bin/sh')).isSymbolicLink());
    assert.equal(readlinkSync(join(bundle, 'rootfs/bin/sh')), 'busybox');
  });

  test('save | load round-trips the image (same id, runnable)', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['image', 'inspect', '-f', '{{.Id}}', 'bb']);
    const tar = join(sb.dir, 'rt.tar');
    assertExit(sb, await sb.docker(['save', '-o', tar, 'bb']), 0);
    const rmi = await sb.docker(['rmi', 'bb']);
    assertExit(sb, rmi, 0);
    assert.match(rmi.stdout, /^Untagged: bb:latest\nDeleted: sha256:[0-9a-f]{64}/m);
    assertExit(sb, await sb.docker(['image', 'inspect', 'bb']), 1, 'image gone after rmi');

    const load = await sb.docker(['load', '-i', tar]);
    assertExit(sb, load, 0);
    assertStdout(sb, load, 'Loaded image: bb:latest');
    assert.equal(await sb.dockerOk(['image', 'inspect', '-f', '{{.Id}}', 'bb']), id, 'same image id after load');

    // and through pipes, as people use it
    const piped = await sb.sh('docker save bb | docker load');
    assertExit(sb, piped, 0);
    assertStdout(sb, piped, /Loaded image: bb:latest/);
    const run = await sb.docker(['run', '--rm', 'bb', 'echo', 'loaded-ok']);
    assertExit(sb, run, 0);
    assertStdout(sb, run, 'loaded-ok');
  });

  test('load of garbage is refused without harm', async () => {
    const sb = sandbox();
    const r = await sb.docker(['load'], { input: 'this is not a tar archive\n'.repeat(100) });
    assert.notEqual(r.code, 0, sb.explain(r, 'load of garbage should fail'));
    assert.equal(await sb.dockerOk(['image', 'inspect', '-f', '{{.RepoTags}}', 'bb']), '[bb:latest]');
  });
});
