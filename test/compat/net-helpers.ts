import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CmdResult } from '../support/proc.ts';
import type { Sandbox } from '../support/sandbox.ts';
import { eventually } from './helpers.ts';

/** Small helpers of the net-*.itest.ts files: addresses, reachability from a container, host-state snapshots. */

/** The container's IPv4 address on `network` (docker inspect). */
export async function ipOf(sb: Sandbox, container: string, network: string): Promise<string> {
  return sb.dockerOk(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]);
}

/** One ping with a 1 s deadline, from inside `container`. */
export function pingFrom(sb: Sandbox, container: string, target: string): Promise<CmdResult> {
  return sb.docker(['exec', container, 'ping', '-c', '1', '-W', '1', target]);
}

/** busybox wget from inside `container`, bounded by timeout(1) (busybox 1.35's own -T crashes). */
export function wgetFrom(sb: Sandbox, container: string, url: string, secs = 3): Promise<CmdResult> {
  return sb.docker(['exec', container, 'timeout', String(secs), 'wget', '-q', '-O', '-', url]);
}

/** busybox wget inside the sandbox's network namespace (the "host"). */
export function wgetOnHost(sb: Sandbox, url: string, secs = 3): Promise<CmdResult> {
  return sb.exec(['timeout', String(secs), 'busybox', 'wget', '-q', '-O', '-', url]);
}

export interface HostState {
  links: string[];
  ruleset: string;
  /** Addresses leased per pool (berthd's ipam.json; empty for another daemon). */
  leases: string[];
  /** Host ports held (berthd's ports.json; empty for another daemon). */
  ports: string;
}

/**
 * What a failed run/connect must not change: the sandbox's links (name and MAC: a bridge's carrier state may
 * flip), its whole nft ruleset, berthd's IP leases and held host ports.
 */
export async function hostState(sb: Sandbox): Promise<HostState> {
  const links = await sb.exec(['ip', '-br', 'link']);
  const nft = await sb.exec(['nft', 'list', 'ruleset']);
  if (links.code !== 0 || nft.code !== 0) throw new Error(`host state: ${links.stderr}${nft.stderr}`);
  const ipam = join(sb.dataRoot, 'network/ipam.json');
  const leases: string[] = [];
  if (existsSync(ipam)) {
    const j = JSON.parse(readFileSync(ipam, 'utf8')) as { pools?: Record<string, { leases?: Record<string, string> }> };
    for (const [pool, p] of Object.entries(j.pools ?? {})) for (const [ip, owner] of Object.entries(p.leases ?? {})) leases.push(`${pool} ${ip} ${owner}`);
  }
  const portsFile = join(sb.dataRoot, 'network/ports.json');
  return {
    links: links.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, , mac] = l.trim().split(/\s+/);
        return `${name} ${mac ?? ''}`;
      })
      .sort(),
    ruleset: nft.stdout,
    leases: leases.sort(),
    ports: existsSync(portsFile) ? readFileSync(portsFile, 'utf8') : '',
  };
}

/** The page busybox httpd serves from /www in the test image. */
export const PAGE = '<h1>hello from berth</h1>\n';

/** The non-blank lines of a text. */
export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

/** resolv.conf without comments and blank lines, sorted (moby 27 and dockerd 20.10 order the lines differently). */
export function resolvLines(s: string): string[] {
  return lines(s)
    .filter((l) => !l.startsWith('#'))
    .sort();
}

/** Waits until the sandbox host fetches PAGE from `url` (a published port is live once the API call returns, but be fair). */
export async function waitForPage(sb: Sandbox, url: string, what = url): Promise<void> {
  let last = '';
  await eventually(
    async () => {
      const r = await wgetOnHost(sb, url, 2);
      last = `exit ${r.code} ${r.stdout}${r.stderr}`;
      return r.stdout === PAGE;
    },
    10_000,
    () => `${what}: ${url} never served the page; last try: ${last}\n${sb.daemonLogTail()}`,
  );
}
