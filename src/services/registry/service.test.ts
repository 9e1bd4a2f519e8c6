import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { parseRegistrySettings } from '../../domain/registry/registry-config.ts';
import type { ImagesForRegistry } from './contract.ts';
import { EndpointResolver, loadCertsDir } from './endpoints.ts';
import { Limiter } from './limiter.ts';
import { RegistryService } from './registry-service.ts';
import { TokenCache } from './session.ts';
import { loopbackLookup } from './testing/harness.ts';

const noImages = {} as ImagesForRegistry;

describe('RegistryService settings', () => {
  it('refuses invalid daemon.json values at construction and reload', () => {
    assert.throws(() => new RegistryService({ images: noImages, mirrors: ['mirror.example'] }), /invalid mirror: no scheme specified/);
    assert.throws(() => new RegistryService({ images: noImages, insecureRegistries: ['ftp://x'] }), /should not contain ':\/\/'/);
    const s = new RegistryService({ images: noImages, mirrors: ['https://m.example'], lookup: loopbackLookup });
    assert.deepEqual(s.settings.mirrors, ['https://m.example/']);
    s.reload({ mirrors: ['http://127.0.0.1:5000'] });
    assert.deepEqual(s.settings.mirrors, ['http://127.0.0.1:5000/']);
    assert.throws(() => s.reload({ mirrors: ['nope'] }), /invalid mirror/);
    assert.deepEqual(s.settings.mirrors, ['http://127.0.0.1:5000/'], 'a refused reload keeps the old settings');
    s.close();
  });
  it('treats loopback names as insecure through DNS, like dockerd', async () => {
    const s = new RegistryService({ images: noImages, lookup: loopbackLookup, insecureRegistries: ['myreg.example:5000'] });
    assert.equal(await s.isInsecure('localhost:5000'), true, 'resolves to 127.0.0.1');
    assert.equal(await s.isInsecure('myreg.example:5000'), true, 'listed');
    assert.equal(await s.isInsecure('docker.io'), false, 'Docker Hub is always secure');
    const strict = new RegistryService({ images: noImages, lookup: loopbackLookup, defaultInsecureCidrs: [] });
    assert.equal(await strict.isInsecure('localhost:5000'), false);
  });
});

describe('certs.d', () => {
  it('reads CAs and client pairs, and refuses halves of a pair as dockerd does', async () => {
    const dir = await mkdtemp(`${tmpdir()}/berth-certsd-test-`);
    try {
      assert.deepEqual(await loadCertsDir(`${dir}/missing`), {});
      await mkdir(`${dir}/h:5000`);
      await writeFile(`${dir}/h:5000/ca.crt`, 'CA');
      await writeFile(`${dir}/h:5000/client.cert`, 'C');
      await writeFile(`${dir}/h:5000/client.key`, 'K');
      const got = await loadCertsDir(`${dir}/h:5000`);
      assert.deepEqual(got.ca?.map(String), ['CA']);
      assert.deepEqual(got.certs?.map((c) => [String(c.cert), String(c.key)]), [['C', 'K']]);
      await writeFile(`${dir}/h:5000/lonely.cert`, 'C');
      await assert.rejects(loadCertsDir(`${dir}/h:5000`), /missing key lonely.key for client certificate lonely.cert. CA certificates must use the extension .crt/);

      const resolver = new EndpointResolver({ settings: () => parseRegistrySettings({}, []), certsDir: dir, lookup: loopbackLookup });
      await rm(`${dir}/h:5000/lonely.cert`);
      const [ep] = await resolver.endpoints('h:5000', false);
      assert.equal(ep!.url, 'https://h:5000');
      assert.equal(ep!.tls.skipVerify, false);
      assert.equal(ep!.tls.ca?.length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Limiter and TokenCache', () => {
  it('bounds concurrency and tells who waits', async () => {
    const l = new Limiter(2);
    let running = 0;
    let peak = 0;
    const waited: number[] = [];
    const job = (i: number) =>
      l.run(
        async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
          return i;
        },
        () => waited.push(i),
      );
    assert.deepEqual(await Promise.all([0, 1, 2, 3].map(job)), [0, 1, 2, 3]);
    assert.equal(peak, 2);
    assert.deepEqual(waited, [2, 3]);
    const ac = new AbortController();
    const a = l.acquire();
    const b = l.acquire();
    await Promise.all([a, b]);
    const c = l.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await assert.rejects(c, /gone/);
    l.release();
    l.release();
    assert.equal(l.active, 0);
  });
  it('expires tokens a little early', () => {
    let now = 0;
    const t = new TokenCache(() => now);
    t.set('k', 'tok', 60);
    now = 54_000;
    assert.equal(t.get('k'), 'tok');
    now = 55_000;
    assert.equal(t.get('k'), undefined);
  });
});
