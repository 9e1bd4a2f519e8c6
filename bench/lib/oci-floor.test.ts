import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adjustSpec } from './oci-floor.ts';

test('adjustSpec runs `true` without a terminal from the shared rootfs and keeps the rest', () => {
  const spec = {
    ociVersion: '1.0.0',
    process: { terminal: true, args: ['sh'], cwd: '/', env: ['PATH=/bin'] },
    root: { path: 'rootfs', readonly: true },
    linux: { namespaces: [{ type: 'pid' }, { type: 'network' }] },
  };
  const out = adjustSpec(spec, '/tmp/x/rootfs');
  assert.deepEqual(out, {
    ociVersion: '1.0.0',
    process: { terminal: false, args: ['true'], cwd: '/', env: ['PATH=/bin'] },
    root: { path: '/tmp/x/rootfs', readonly: true },
    linux: { namespaces: [{ type: 'pid' }, { type: 'network' }] },
  });
  assert.equal(spec.process.terminal, true, 'input left alone');
});
