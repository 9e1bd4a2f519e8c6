import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { joinedUserns, usesUserns, verifyUsernsSettings } from './container.ts';
import { isEmptyMapping, ociMappings, pairToContainer, pairToHost, rootPair, toContainer, toHost } from './id-map.ts';
import { identityMappingFor, resolveRemapUser } from './remap.ts';
import { createIdMap, findNextRangeStart, parseSubidFile, rangesOf } from './subid.ts';

describe('subid files', () => {
  const text = ['# comment', '', 'alice:100000:65536', ' dockremap:165536:65536 ', '999:300000:10', 'dockremap:500000:1000', 'bob:231072:65536'].join('\n');

  test('parses every entry, skipping comments and blank lines', () => {
    const e = parseSubidFile(text, '/etc/subuid');
    assert.equal(e.length, 5);
    assert.deepEqual(e[1], { owner: 'dockremap', start: 165536, length: 65536 });
  });

  test('malformed lines are refused with dockerd\'s text', () => {
    assert.throws(() => parseSubidFile('alice:1', '/etc/subuid'), /Cannot parse subuid\/gid information: Format not correct for \/etc\/subuid file/);
    assert.throws(() => parseSubidFile('alice:x:1', '/etc/subgid'), /String to int conversion failed during subuid\/gid parsing of \/etc\/subgid/);
  });

  test('ranges of a user: by numeric uid first, else by name, in file order', () => {
    const e = parseSubidFile(text, '/etc/subuid');
    const cases: [{ name: string; uid: number }, [number, number][]][] = [
      [{ name: 'dockremap', uid: 998 }, [[165536, 65536], [500000, 1000]]],
      [{ name: 'dockremap', uid: 999 }, [[300000, 10]]],
      [{ name: 'carol', uid: 1002 }, []],
    ];
    for (const [user, want] of cases) assert.deepEqual(rangesOf(e, user).map((r) => [r.start, r.length]), want, user.name);
  });

  test('several ranges are laid end to end from container ID 0', () => {
    assert.deepEqual(createIdMap([{ start: 165536, length: 65536 }, { start: 500000, length: 1000 }]), [
      { containerId: 0, hostId: 165536, size: 65536 },
      { containerId: 65536, hostId: 500000, size: 1000 },
    ]);
  });

  test('the next free range starts at 100000, past the ranges it would overlap', () => {
    const cases: [string, number][] = [
      ['', 100000],
      ['alice:100000:65536', 165536],
      ['bob:231072:65536\nalice:100000:65536', 165536],
      ['bob:200000:65536\nalice:100000:65536', 265536],
      ['far:1000000:65536', 100000],
      ['near:150000:10', 150010],
    ];
    for (const [file, want] of cases) assert.equal(findNextRangeStart(parseSubidFile(file, '/etc/subuid')), want, file);
  });
});

describe('ID mapping', () => {
  const m = { uids: createIdMap([{ start: 100000, length: 65536 }, { start: 500000, length: 10 }]), gids: createIdMap([{ start: 200000, length: 65536 }]) };

  test('container IDs to host IDs and back', () => {
    const cases: [number, number][] = [
      [0, 100000],
      [1000, 101000],
      [65535, 165535],
      [65536, 500000],
      [65545, 500009],
    ];
    for (const [c, h] of cases) {
      assert.equal(toHost(c, m.uids), h);
      assert.equal(toContainer(h, m.uids), c);
    }
    assert.deepEqual(pairToHost(m, { uid: 5, gid: 7 }), { uid: 100005, gid: 200007 });
    assert.deepEqual(pairToContainer(m, { uid: 100005, gid: 200007 }), { uid: 5, gid: 7 });
  });

  test('IDs outside the ranges are errors (Docker\'s text); an empty map is the identity', () => {
    assert.throws(() => toHost(65546, m.uids), /Container ID 65546 cannot be mapped to a host ID/);
    assert.throws(() => toContainer(0, m.uids), /Host ID 0 cannot be mapped to a container ID/);
    assert.equal(toHost(42, []), 42);
    assert.equal(toContainer(42, []), 42);
  });

  test('root pair and OCI shape', () => {
    assert.deepEqual(rootPair(m), { uid: 100000, gid: 200000 });
    assert.deepEqual(rootPair(undefined), { uid: 0, gid: 0 });
    assert.equal(isEmptyMapping(undefined), true);
    assert.equal(isEmptyMapping(m), false);
    assert.deepEqual(ociMappings(m.gids), [{ containerID: 0, hostID: 200000, size: 65536 }]);
  });
});

describe('--userns-remap values', () => {
  const users = [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'dockremap', uid: 999, gid: 995 },
    { name: 'alice', uid: 1000, gid: 1000 },
    { name: 'bob', uid: 1001, gid: 1001 },
  ];
  const groups = [
    { name: 'root', gid: 0 },
    { name: 'dockremap', gid: 995 },
    { name: 'alice', gid: 1000 },
    { name: 'staff', gid: 50 },
  ];

  test('resolves default, user, user:group, uid, uid:gid', () => {
    const cases: [string, string, string][] = [
      ['default', 'dockremap', 'dockremap'],
      ['alice', 'alice', 'alice'],
      ['alice:staff', 'alice', 'staff'],
      ['1000', 'alice', 'alice'],
      ['1001:50', 'bob', 'staff'],
      ['bob:1000', 'bob', 'alice'],
    ];
    for (const [spec, user, group] of cases) {
      const r = resolveRemapUser(spec, users, groups);
      assert.equal(r.kind, 'user', spec);
      if (r.kind === 'user') {
        assert.equal(r.user.name, user, spec);
        assert.equal(r.group, group, spec);
      }
    }
  });

  test('default without a dockremap user asks for it to be created', () => {
    assert.deepEqual(resolveRemapUser('default', users.slice(2), groups), { kind: 'create', user: 'dockremap' });
  });

  test('root turns user namespaces off', () => {
    assert.equal(resolveRemapUser('root', users, groups).kind, 'off');
    assert.equal(resolveRemapUser('0', users, groups).kind, 'off');
  });

  test('refusals with dockerd\'s messages', () => {
    const cases: [string, RegExp][] = [
      ['a:b:c', /Invalid user\/group specification in --userns-remap: "a:b:c"/],
      ['carol', /Error during uid lookup for "carol"/],
      ['bob', /Error during gid lookup for "bob"/],
      ['4242', /Uid 4242 has no entry in \/etc\/passwd/],
      ['1001', /Gid 1001 has no entry in \/etc\/group/],
      ['alice:4242', /Gid 4242 has no entry in \/etc\/passwd/],
      ['alice:nogroup', /Error during groupname lookup for "nogroup"/],
    ];
    for (const [spec, want] of cases) assert.throws(() => resolveRemapUser(spec, users, groups), want, spec);
  });

  test('the mapping comes from the user\'s subordinate ranges (gids too are looked up by the user)', () => {
    const subuid = parseSubidFile('dockremap:100000:65536\n', '/etc/subuid');
    const subgid = parseSubidFile('999:300000:65536\n', '/etc/subgid');
    const m = identityMappingFor(users[1]!, subuid, subgid);
    assert.deepEqual(rootPair(m), { uid: 100000, gid: 300000 });
    assert.throws(() => identityMappingFor(users[2]!, subuid, subgid), /no subuid ranges found for user "alice"/);
    assert.throws(() => identityMappingFor(users[1]!, subuid, []), /no subgid ranges found for user "dockremap"/);
  });
});

describe('containers under a remapping daemon', () => {
  test('a user namespace unless --userns=host', () => {
    assert.equal(usesUserns({ UsernsMode: '' }, true), true);
    assert.equal(usesUserns({ UsernsMode: 'host' }, true), false);
    assert.equal(usesUserns({ UsernsMode: '' }, false), false);
  });

  test('privileged, host network and host PID need --userns=host', () => {
    const cases: [Parameters<typeof verifyUsernsSettings>[0], RegExp | undefined][] = [
      [{ Privileged: true }, /: privileged mode is incompatible with user namespaces\. {2}You must run the container in the host namespace when running privileged mode$/],
      [{ NetworkMode: 'host' }, /cannot share the host's network namespace when user namespaces are enabled/],
      [{ PidMode: 'host' }, /cannot share the host PID namespace when user namespaces are enabled/],
      [{ Privileged: true, NetworkMode: 'host', PidMode: 'host', UsernsMode: 'host' }, undefined],
      [{ NetworkMode: 'bridge', PidMode: 'container:x', ReadonlyRootfs: true } as never, undefined],
    ];
    for (const [h, want] of cases) {
      if (want) assert.throws(() => verifyUsernsSettings(h, true), want);
      else assert.doesNotThrow(() => verifyUsernsSettings(h, true));
      assert.doesNotThrow(() => verifyUsernsSettings(h, false), 'no checks without remapping');
    }
  });

  test('joining another container\'s namespaces joins its user namespace (the last one wins)', () => {
    assert.equal(joinedUserns([undefined, '/proc/12/ns/ipc', undefined]), '/proc/12/ns/user');
    assert.equal(joinedUserns(['/proc/5/ns/net', '/proc/12/ns/ipc', '/proc/7/ns/pid']), '/proc/7/ns/user');
    assert.equal(joinedUserns([undefined, '/var/run/netns/x']), undefined);
  });
});

test('a bad explicit group is refused before dockremap would be created', () => {
  const users = [{ name: 'root', uid: 0, gid: 0 }];
  const groups = [{ name: 'root', gid: 0 }, { name: 'staff', gid: 50 }];
  assert.throws(() => resolveRemapUser('default:4242', users, groups), /Gid 4242 has no entry/);
  assert.throws(() => resolveRemapUser('default:nogroup', users, groups), /Error during groupname lookup for "nogroup"/);
  assert.deepEqual(resolveRemapUser('default:staff', users, groups), { kind: 'create', user: 'dockremap' });
});
