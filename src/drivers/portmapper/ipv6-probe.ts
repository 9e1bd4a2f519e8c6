import net from 'node:net';

/**
 * dockerd's IsV6Listenable: whether a socket can listen on [::1]:0 in the daemon's network namespace. False when
 * the kernel was booted with ipv6.disable=1, IPv6 is disabled on lo, or lo is down; then bindings that name no
 * address are published on IPv4 only (moby#42288).
 */
export function ipv6Listenable(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '::1', port: 0, ipv6Only: true }, () => s.close(() => resolve(true)));
  });
}
