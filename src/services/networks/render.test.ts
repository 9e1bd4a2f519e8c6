import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSettings, NetworkSettingsOut } from './contract.ts';
import { inspectNetworkSettings } from './render.ts';

const ID = 'abcdef0123456789'.repeat(4);

function endpoint(o: Partial<EndpointSettings>): EndpointSettings {
  return { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, NetworkID: 'n', EndpointID: 'e', Gateway: '10.0.0.1', IPAddress: '10.0.0.2', IPPrefixLen: 24, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null, ...o } as EndpointSettings;
}

describe('inspectNetworkSettings', () => {
  const out = { Ports: {}, SandboxKey: '/k', SandboxID: 's', hosts: '', resolvConf: '', Networks: { app: endpoint({ Aliases: ['web', ID.slice(0, 12)] }), bridge: endpoint({}) } } as unknown as NetworkSettingsOut;

  it('running: the live endpoints; the short id among the Aliases only before API 1.45', () => {
    const old = inspectNetworkSettings(out, {}, { version: 1.41, containerId: ID }) as { Networks: Record<string, EndpointSettings>; IPAddress: string };
    assert.deepEqual(old.Networks.app!.Aliases, ['web', ID.slice(0, 12)]);
    assert.equal(old.IPAddress, '10.0.0.2', 'legacy fields from the bridge endpoint');
    const now = inspectNetworkSettings(out, {}, { version: 1.47, containerId: ID }) as { Networks: Record<string, EndpointSettings> };
    assert.deepEqual(now.Networks.app!.Aliases, ['web']);
    assert.deepEqual(out.Networks.app!.Aliases, ['web', ID.slice(0, 12)], 'the stored settings are not changed');
  });

  it('not running: the configured networks, idle', () => {
    const idle = inspectNetworkSettings(undefined, { default: {}, app: { Aliases: ['web'] } }, { version: 1.47, containerId: ID }) as { Networks: Record<string, EndpointSettings>; IPAddress: string };
    assert.deepEqual(Object.keys(idle.Networks).sort(), ['app', 'bridge']);
    assert.equal(idle.Networks.app!.IPAddress, '');
    assert.deepEqual(idle.Networks.app!.Aliases, ['web']);
    assert.equal(idle.IPAddress, '');
  });
});
