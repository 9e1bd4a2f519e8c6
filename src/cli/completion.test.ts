import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectKind } from './completion.ts';
import { complete, completionScript, kindForUsage } from './completion.ts';
import { globalFlags } from './main.ts';
import { root } from './registry.ts';

const NAMES: Record<ObjectKind, string[]> = {
  container: ['web', 'db', 'stopped1'],
  'running-container': ['web', 'db'],
  image: ['bb:latest', 'nginx:1'],
  network: ['bridge', 'host', 'none', 'n1'],
  volume: ['v1'],
  context: ['default', 'remote'],
};
const list = async (k: ObjectKind) => {

  return NAMES[k];
};
const c = (words: string[], cur: string) => complete(root, words, cur, async (e) => (await e.load!()).default, list, globalFlags({ HOME: '/root' }));

describe('berth __complete', () => {
  it('top-level commands by prefix', async () => {
    assert.deepEqual(await c([], 'con'), ['container', 'context']);
  });
  it('subcommands of a group', async () => assert.deepEqual(await c(['network'], 'c'), ['connect', 'create']));
  it('global flags before the command, skipping their values', async () => {
    assert.ok((await c([], '--ti')).length === 0);
    assert.deepEqual(await c([], '--tls'), ['--tls', '--tlscacert', '--tlscert', '--tlskey', '--tlsverify']);
    assert.deepEqual(await c(['-H', 'unix:///x'], 'vers'), ['version']);
  });
  it('flags of a command from its definition', async () => {
    const f = await c(['ps'], '--');
    for (const want of ['--all', '--filter', '--format', '--no-trunc', '--quiet', '--help']) assert.ok(f.includes(want), want);
  });
  it('containers for CONTAINER, running ones for exec/stop', async () => {
    assert.deepEqual(await c(['rm'], ''), ['db', 'stopped1', 'web']);
    assert.deepEqual(await c(['stop'], ''), ['db', 'web']);
    assert.deepEqual(await c(['container', 'logs', '-f'], 'w'), ['web']);
  });
  it('images for run, nothing for the container command after it', async () => {
    assert.deepEqual(await c(['run', '-it'], 'b'), ['bb:latest']);
    assert.deepEqual(await c(['run', 'bb'], ''), []);
  });
  it('the value of --network is a network; of --context a context', async () => {
    assert.deepEqual(await c(['run', '--network'], 'n'), ['n1', 'none']);
    assert.deepEqual(await c(['--context'], ''), ['default', 'remote']);
  });
  it('networks, volumes, contexts by usage', async () => {
    assert.deepEqual(await c(['network', 'rm'], ''), ['bridge', 'host', 'n1', 'none']);
    assert.deepEqual(await c(['volume', 'inspect'], ''), ['v1']);
    assert.deepEqual(await c(['context', 'use'], 'r'), ['remote']);
  });
  it('unknown commands complete to nothing', async () => assert.deepEqual(await c(['nosuch'], ''), []));
});

describe('usage words → object kinds', () => {
  const cases: [string, string, number, ObjectKind | undefined][] = [
    ['rm', '[OPTIONS] CONTAINER [CONTAINER...]', 3, 'container'],
    ['exec', '[OPTIONS] CONTAINER COMMAND [ARG...]', 0, 'running-container'],
    ['tag', 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', 0, 'image'],
    ['connect', '[OPTIONS] NETWORK CONTAINER', 1, 'container'],
    ['connect', '[OPTIONS] NETWORK CONTAINER', 0, 'network'],
    ['ls', '[OPTIONS]', 0, undefined],
  ];
  for (const [name, usage, i, want] of cases) it(`${name} ${usage} #${i}`, () => assert.equal(kindForUsage(name, usage, i), want));
});

describe('completion scripts', () => {
  it('each calls `berth __complete`', () => {
    for (const sh of ['bash', 'zsh', 'fish'] as const) assert.match(completionScript(sh, 'berth'), /berth __complete/);
    assert.match(completionScript('bash', 'berth'), /complete -o default -F _berth berth/);
    assert.match(completionScript('zsh', 'berth'), /^#compdef berth/);
  });
});
