import { describe, test } from 'node:test';
import { assertStdout, useSandbox } from './helpers.ts';

/**
 * dockerd's `--ip` is the host address of the default bridge's published ports only: a user-defined network
 * publishes on every address (0.0.0.0 and ::) unless its own `com.docker.network.bridge.host_binding_ipv4` says
 * otherwise (Docker 24 added `--default-network-opt` for that reason).
 */
const sandbox = useSandbox({ label: 'net-daemon-ip', daemonArgs: ['--ip', '127.0.0.1'] });

describe('daemon --ip', () => {
  test('applies to the default bridge, not to user-defined networks', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'onbridge', '-p', '8080:80', 'bb', 'sleep', '1000']);
    assertStdout(sb, await sb.docker(['port', 'onbridge']), '80/tcp -> 127.0.0.1:8080', 'default bridge');
    await sb.dockerOk(['network', 'create', 'usernet']);
    await sb.dockerOk(['run', '-d', '--name', 'onuser', '--network', 'usernet', '-p', '8081:80', 'bb', 'sleep', '1000']);
    assertStdout(sb, await sb.docker(['port', 'onuser']), /^80\/tcp -> 0\.0\.0\.0:8081$/m, 'user-defined network');
    await sb.dockerOk(['network', 'create', '-o', 'com.docker.network.bridge.host_binding_ipv4=127.0.0.1', 'lonet']);
    await sb.dockerOk(['run', '-d', '--name', 'onlo', '--network', 'lonet', '-p', '8082:80', 'bb', 'sleep', '1000']);
    assertStdout(sb, await sb.docker(['port', 'onlo']), '80/tcp -> 127.0.0.1:8082', 'network with host_binding_ipv4');
  });
});
