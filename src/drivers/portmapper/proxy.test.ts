import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { nullLogger } from '../../common/log.ts';
import { UserlandProxy } from './proxy.ts';

const closers: (() => void)[] = [];
after(() => {
  for (const c of closers) c();
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('userland proxy', () => {
  it('relays TCP both ways with half-close, and UDP per client flow; stops cleanly', async () => {
    // the "container": a TCP server that answers after the client's FIN, and a UDP echo
    const backend = net.createServer({ allowHalfOpen: true }, (c) => {
      let got = '';
      c.on('data', (d) => (got += d));
      c.on('end', () => c.end(`got:${got}`));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    closers.push(() => backend.close());
    const echo = dgram.createSocket('udp4');
    echo.on('message', (m, r) => echo.send(Buffer.from(`echo:${m}`), r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
    closers.push(() => echo.close());

    const proxy = new UserlandProxy(nullLogger);
    closers.push(() => proxy.close());
    const tcpPort = await freePort();
    const udpPort = await freePort();
    await proxy.start('c1', [
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: tcpPort, containerIp: '127.0.0.1', containerPort: (backend.address() as net.AddressInfo).port },
      { proto: 'udp', hostIp: '127.0.0.1', hostPort: udpPort, containerIp: '127.0.0.1', containerPort: echo.address().port },
    ]);
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ host: '127.0.0.1', port: tcpPort, allowHalfOpen: true });
      let buf = '';
      c.on('data', (d) => (buf += d));
      c.on('end', () => resolve(buf));
      c.on('error', reject);
      c.end('hello');
    });
    assert.equal(reply, 'got:hello');
    const client = dgram.createSocket('udp4');
    const udpReply = await new Promise<string>((resolve) => {
      client.on('message', (m) => resolve(m.toString()));
      client.send('ping', udpPort, '127.0.0.1');
    });
    client.close();
    assert.equal(udpReply, 'echo:ping');

    // a second owner cannot take the same port: Docker's message
    await assert.rejects(proxy.start('c2', [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: tcpPort, containerIp: '127.0.0.1', containerPort: 1 }]), {
      message: `Error starting userland proxy: listen tcp4 127.0.0.1:${tcpPort}: bind: address already in use`,
    });
    assert.deepEqual(proxy.owners(), ['c1']);
    proxy.stop('c1');
    await assert.rejects(
      new Promise((resolve, reject) => {
        const c = net.connect({ host: '127.0.0.1', port: tcpPort });
        c.on('connect', resolve);
        c.on('error', reject);
      }),
      /ECONNREFUSED/,
    );
  });

  it('a proxy on :: is IPv6 only: IPv4 on the same port stays free (as docker-proxy\'s tcp6/udp6 sockets)', async (t) => {
    const probe = net.createServer();
    const v6 = await new Promise<boolean>((r) => {
      probe.once('error', () => r(false));
      probe.listen({ host: '::1', port: 0 }, () => probe.close(() => r(true)));
    });
    if (!v6) {
      t.skip('no IPv6 here');
      return;
    }
    const backend = net.createServer((c) => c.end('v6 ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    closers.push(() => backend.close());
    const proxy = new UserlandProxy(nullLogger);
    closers.push(() => proxy.close());
    const port = await freePort();
    await proxy.start('c6', [
      { proto: 'tcp', hostIp: '::', hostPort: port, containerIp: '127.0.0.1', containerPort: (backend.address() as net.AddressInfo).port },
      { proto: 'udp', hostIp: '::', hostPort: port, containerIp: '127.0.0.1', containerPort: 9 },
    ]);
    const v4 = net.createServer();
    await new Promise<void>((resolve, reject) => {
      v4.once('error', reject);
      v4.listen({ host: '0.0.0.0', port }, () => resolve());
    });
    closers.push(() => v4.close());
    const u4 = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      u4.once('error', reject);
      u4.bind(port, '0.0.0.0', () => resolve());
    });
    closers.push(() => u4.close());
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ host: '::1', port });
      let buf = '';
      c.on('data', (d) => (buf += d));
      c.on('end', () => resolve(buf));
      c.on('error', reject);
    });
    assert.equal(reply, 'v6 ok');
    await assert.rejects(new UserlandProxy(nullLogger).start('other', [{ proto: 'tcp', hostIp: '::', hostPort: port, containerIp: '127.0.0.1', containerPort: 1 }]), {
      message: `Error starting userland proxy: listen tcp6 [::]:${port}: bind: address already in use`,
    });
  });
});
