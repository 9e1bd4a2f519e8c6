import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcRoute } from './proc-route.ts';

// /proc/net/route of a namespace with a default route, a bridge subnet, a host route and a route that is down
const TABLE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
inet0\t00000000\t016433C6\t0003\t0\t0\t0\t00000000\t0\t0\t0
inet0\t006433C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
berth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth9\t0B0B0B0A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0
eth8\t0000000A\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0
`;

test('parseProcRoute: the same list as ip -j -4 route show', () => {
  assert.deepEqual(parseProcRoute(TABLE), [
    { dst: 'default', dev: 'inet0', via: '198.51.100.1' },
    { dst: '198.51.100.0/24', dev: 'inet0' },
    { dst: '172.17.0.0/16', dev: 'berth0' },
    { dst: '10.11.11.11/32', dev: 'eth9' },
  ]);
  assert.deepEqual(parseProcRoute('Iface\tDestination\n'), []);
});

test('parseProcRoute: big-endian words are read as they are', () => {
  const be = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\nbr0\tAC110000\t00000000\t0001\t0\t0\t0\tFFFF0000\n';
  assert.deepEqual(parseProcRoute(be, false), [{ dst: '172.17.0.0/16', dev: 'br0' }]);
});
