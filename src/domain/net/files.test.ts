import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mainRecord, parseExtraHosts, renderHostModeHosts, renderHosts, updateHosts } from './hosts.ts';
import { buildResolvConf, embeddedResolvConf, filterResolvConf, parseResolvConf, renderResolvConf } from './resolv.ts';

const DEFAULTS =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

describe('/etc/hosts', () => {
  it('renders the defaults, extra hosts, then the container records', () => {
    const extra = parseExtraHosts(['db-static:86.75.30.9', 'gw:host-gateway', 'v6=[::1]'], '172.17.0.1');
    assert.equal(
      renderHosts({ extraHosts: extra, self: [mainRecord('172.17.0.22', '09d03f76bf2c')] }),
      `${DEFAULTS}86.75.30.9\tdb-static\n172.17.0.1\tgw\n::1\tv6\n172.17.0.22\t09d03f76bf2c\n`,
    );
  });
  it('writes fqdn and short name for dotted hostnames', () => {
    assert.deepEqual(mainRecord('10.0.0.2', 'web.example.com'), { ip: '10.0.0.2', hosts: 'web.example.com web' });
    assert.deepEqual(mainRecord('10.0.0.2', 'web', 'example.com'), { ip: '10.0.0.2', hosts: 'web.example.com web' });
  });
  it('refuses bad extra hosts', () => {
    assert.throws(() => parseExtraHosts(['nohost'], ''), /bad format for add-host/);
    assert.throws(() => parseExtraHosts(['h:300.1.1.1'], ''), { message: 'invalid IP address in add-host: "300.1.1.1"' });
    assert.throws(() => parseExtraHosts(['h:host-gateway'], ''), /host-gateway/);
  });
  it('host mode copies the host file unless extra hosts are given', () => {
    assert.equal(renderHostModeHosts('1.2.3.4 me\n', []), '1.2.3.4 me\n');
    assert.equal(renderHostModeHosts('1.2.3.4 me\n', [{ ip: '5.6.7.8', hosts: 'x' }]), `${DEFAULTS}5.6.7.8\tx\n`);
  });
});

describe('/etc/resolv.conf', () => {
  const cases: [string, string, boolean][] = [
    ['nameserver 10.0.0.2\nsearch corp\n', 'nameserver 10.0.0.2\nsearch corp\n', false],
    ['nameserver 127.0.0.53\noptions edns0\n', 'options edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4', false],
    ['nameserver ::1\nnameserver 10.1.1.1\n', 'nameserver 10.1.1.1\n', false],
    ['nameserver 2001:db8::1\nnameserver 10.1.1.1\n', 'nameserver 10.1.1.1\n', false],
    ['nameserver 2001:db8::1\n', 'nameserver 2001:db8::1\n', true],
    ['', '\nnameserver 8.8.8.8\nnameserver 8.8.4.4', false],
    ['nameserver 127.0.0.1\n', '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844', true],
  ];
  for (const [input, want, v6] of cases) it(`filters ${JSON.stringify(input)} (ipv6=${v6})`, () => assert.equal(filterResolvConf(input, v6), want));

  it('builds from --dns/--dns-search/--dns-option', () => {
    assert.equal(buildResolvConf(['1.1.1.1', '9.9.9.9'], ['a.com', 'b.com'], ['ndots:2']), 'search a.com b.com\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions ndots:2\n');
    assert.equal(buildResolvConf(['1.1.1.1'], ['.'], []), 'nameserver 1.1.1.1\n');
  });
  it('takes the missing parts from the host file', () => {
    const host = 'nameserver 10.0.0.2\nsearch corp.example\noptions rotate\n';
    assert.equal(
      renderResolvConf({ hostFile: host, dns: ['1.1.1.1'], dnsSearch: [], dnsOptions: [], hostMode: false, ipv6: false }),
      'search corp.example\nnameserver 1.1.1.1\noptions rotate\n',
    );
    assert.equal(renderResolvConf({ hostFile: host, dns: [], dnsSearch: [], dnsOptions: [], hostMode: true, ipv6: false }), host);
    assert.deepEqual(parseResolvConf('# c\nnameserver 1.2.3.4 # x\ndomain d\n'), { nameservers: ['1.2.3.4'], search: ['d'], options: [] });
  });

  it('points containers of user-defined networks at the embedded server', () => {
    assert.deepEqual(embeddedResolvConf('nameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp\noptions rotate\n'), {
      content: 'search corp\nnameserver 127.0.0.11\noptions rotate ndots:0\n',
      servers: ['10.0.0.2', '10.0.0.3'],
    });
    // the user's ndots wins; IPv6 servers stay in the file (the embedded server is IPv4 only)
    assert.deepEqual(embeddedResolvConf('nameserver 2001:db8::1\nnameserver 10.0.0.2\noptions ndots:3\n'), {
      content: 'nameserver 127.0.0.11\nnameserver 2001:db8::1\noptions ndots:3\n',
      servers: ['10.0.0.2'],
    });
  });
});

describe('updateHosts', () => {
  const head = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
  it('keeps what the container added, appends new records, removes the ones that went', () => {
    const before = `${head}172.17.0.2\tabc\n`;
    const current = `${before}198.51.100.9 mine\n`;
    const connected = `${head}172.17.0.2\tabc\n10.1.0.2\tabc\n`;
    assert.equal(updateHosts(current, before, connected), `${current}10.1.0.2\tabc\n`);
    const disconnected = `${head}10.1.0.2\tabc\n`;
    assert.equal(updateHosts(`${current}10.1.0.2\tabc\n`, connected, disconnected), `${head}198.51.100.9 mine\n10.1.0.2\tabc\n`);
  });
  it('removes one copy per record that went, and leaves a file the daemon never wrote alone but for its records', () => {
    assert.equal(updateHosts('a\nx\na\n', 'a\na\n', 'a\n'), 'x\na\n');
    assert.equal(updateHosts('', 'a\n', 'b\n'), 'b\n');
  });
});
