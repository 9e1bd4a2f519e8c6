import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ellipsis } from '../ellipsis.ts';
import { ContainerContext, displayablePorts } from './container.ts';

describe('DisplayablePorts (docker ps PORTS column)', () => {
  const table: [Parameters<typeof displayablePorts>[0], string][] = [
    [[], ''],
    [[{ PrivatePort: 80, Type: 'tcp' }], '80/tcp'],
    [[{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 81, Type: 'tcp' }, { PrivatePort: 82, Type: 'tcp' }], '80-82/tcp'],
    [[{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }], '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp'],
    [
      [
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 80, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 81, PublicPort: 81, Type: 'tcp' },
        { PrivatePort: 443, Type: 'tcp' },
        { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 32768, Type: 'udp' },
      ],
      '0.0.0.0:80-81->80-81/tcp, 443/tcp, 127.0.0.1:32768->53/udp',
    ],
    [[{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 82, Type: 'tcp' }], '80/tcp, 82/tcp'],
  ];
  for (const [ports, want] of table) it(want || '(none)', () => assert.equal(displayablePorts(ports), want));
});

describe('ContainerContext', () => {
  const c = new ContainerContext(
    {
      Id: 'abcdef0123456789'.repeat(4),
      Names: ['/web', '/other/web'],
      Image: 'docker.io/library/nginx:1.25@sha256:' + 'e'.repeat(64),
      ImageID: 'sha256:' + 'f'.repeat(64),
      Command: 'nginx -g "daemon off;"',
      Created: 0,
      Labels: { b: '2', a: '1' },
      SizeRw: 12345,
      SizeRootFs: 1982298,
      Mounts: [{ Name: 'a-very-long-volume-name', Driver: 'local' }],
    },
    true,
  );
  it('truncates and formats like docker', () => {
    assert.equal(c.ID(), 'abcdef012345');
    assert.equal(c.Names(), 'web');
    assert.equal(c.Image(), 'nginx:1.25');
    assert.equal(c.Command(), '"nginx -g \\"daemon of…"');
    assert.equal(c.Labels(), 'a=1,b=2');
    assert.equal(c.Size(), '12.3kB (virtual 1.98MB)');
    assert.equal(c.Mounts(), 'a-very-long-vo…');
    assert.equal(c.LocalVolumes(), '1');
  });
  it('ellipsis counts display width', () => {
    assert.equal(ellipsis('hello world', 5), 'hell…');
    assert.equal(ellipsis('日本語日本語', 5), '日本…');
    assert.equal(ellipsis('short', 20), 'short');
  });
});
