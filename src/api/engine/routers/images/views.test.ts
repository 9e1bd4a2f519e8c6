import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageDetails, ImageListItem } from '../../../../services/images/image-service.ts';
import type { ImageRecord } from '../../../../services/images/image-store.ts';
import { fullConfig, inspectView, listEntryView } from './views.ts';

const record: ImageRecord = {
  id: 'sha256:' + 'a'.repeat(64),
  config: { architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Cmd: ['sh'], Labels: { k: 'v' } }, rootfs: { type: 'layers', diff_ids: ['sha256:' + 'b'.repeat(64)] } },
  configSize: 100,
};

describe('listEntryView version gates', () => {
  const untagged: ImageListItem = { record, repoTags: [], repoDigests: [], size: 10, containers: 0 };
  const tagged: ImageListItem = { ...untagged, repoTags: ['bb:latest'] };
  const cases: [string, ImageListItem, number, unknown, unknown, boolean][] = [
    ['untagged <1.43 gets <none> placeholders', untagged, 1.41, ['<none>:<none>'], ['<none>@<none>'], true],
    ['tagged <1.43 keeps null digests', tagged, 1.42, ['bb:latest'], null, true],
    ['untagged ≥1.43 gets empty lists', untagged, 1.43, [], [], true],
    ['≥1.44 drops VirtualSize', tagged, 1.44, ['bb:latest'], [], false],
  ];
  for (const [name, item, v, tags, digests, virtual] of cases) {
    it(name, () => {
      const e = listEntryView(item, v);
      assert.deepEqual(e.RepoTags, tags);
      assert.deepEqual(e.RepoDigests, digests);
      assert.equal('VirtualSize' in e, virtual);
      assert.equal(e.Created, 1704067200);
      assert.equal(e.Containers, -1);
      assert.deepEqual(e.Labels, { k: 'v' });
    });
  }
});

describe('inspectView', () => {
  const d: ImageDetails = { record, repoTags: ['bb:latest'], repoDigests: [], size: 10, diffIds: record.config.rootfs.diff_ids, graphDriver: { Name: 'overlay2', Data: {} } };
  it('has Container/ContainerConfig below 1.45 and VirtualSize below 1.44', () => {
    const old = inspectView(d, 1.43);
    assert.ok('Container' in old && 'ContainerConfig' in old && 'VirtualSize' in old);
    const cur = inspectView(d, 1.47);
    assert.ok(!('Container' in cur) && !('ContainerConfig' in cur) && !('VirtualSize' in cur));
    assert.deepEqual(cur.RootFS, { Type: 'layers', Layers: ['sha256:' + 'b'.repeat(64)] });
    assert.deepEqual(cur.Metadata, { LastTagTime: '0001-01-01T00:00:00Z' });
  });
  it('prints the full legacy config shape', () => {
    const c = fullConfig({ Cmd: ['sh'], ExposedPorts: { '80/tcp': {} } });
    assert.deepEqual(Object.keys(c), ['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'ExposedPorts', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels']);
    assert.equal(c.Env, null);
  });
});
