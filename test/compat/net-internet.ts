import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '../support/names.ts';
import { type CmdOptions, type CmdResult, runCmd } from '../support/proc.ts';
import { type RunningCmd, startCmd } from '../support/running-cmd.ts';
import type { Sandbox } from '../support/sandbox.ts';

/** "The internet" side of the veth: a host on TEST-NET-2. */
export const INTERNET_IP = '198.51.100.1';
/** The sandbox host's own address on that veth: what the internet sees as the source of NATed traffic. */
export const HOST_IP = '198.51.100.2';

/**
 * A fake "internet" for a sandbox: a network namespace of its own (named with the run's prefix, so the leak check
 * finds it if a crashed test leaves it), joined to the sandbox's netns by a veth (sandbox `inet0` 198.51.100.2/24 ⇄
 * `eth0` 198.51.100.1/24 here), and the sandbox's default route through it. Nothing touches the root namespace:
 * `ip -n` works on the named namespaces only. `close()` deletes the namespace (the veth goes with it).
 */
export class Internet {
  readonly netns: string;
  readonly sb: Sandbox;
  readonly #servers: RunningCmd[] = [];

  private constructor(sb: Sandbox, netns: string) {
    this.sb = sb;
    this.netns = netns;
  }

  static async create(sb: Sandbox): Promise<Internet> {
    const net = new Internet(sb, uniqueName('inet'));
    const steps: string[][] = [
      ['ip', 'netns', 'add', net.netns],
      ['ip', '-n', net.netns, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', sb.netns, 'link', 'add', 'inet0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net.netns],
      ['ip', '-n', sb.netns, 'addr', 'add', `${HOST_IP}/24`, 'dev', 'inet0'],
      ['ip', '-n', sb.netns, 'link', 'set', 'inet0', 'up'],
      ['ip', '-n', net.netns, 'addr', 'add', `${INTERNET_IP}/24`, 'dev', 'eth0'],
      ['ip', '-n', net.netns, 'link', 'set', 'eth0', 'up'],
      ['ip', '-n', sb.netns, 'route', 'replace', 'default', 'via', INTERNET_IP, 'dev', 'inet0'],
    ];
    try {
      for (const argv of steps) {
        const r = await runCmd(argv, { timeoutMs: 10_000 });
        if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
      }
    } catch (err) {
      await net.close();
      throw err;
    }
    return net;
  }

  /** Runs a command inside the internet namespace. */
  exec(argv: string[], opts: CmdOptions = {}): Promise<CmdResult> {
    return runCmd(['ip', 'netns', 'exec', this.netns, ...argv], opts);
  }

  /**
   * Starts `busybox httpd -f -v` on port `port` serving `body`: each request is logged on its stderr with the
   * peer's address (`[::ffff:198.51.100.2]:40312: response:200`). Killed by close().
   */
  httpd(port: number, body: string): RunningCmd {
    const www = join(this.sb.dir, `inet-www-${port}`);
    mkdirSync(www, { recursive: true });
    writeFileSync(join(www, 'index.html'), body);
    const srv = startCmd(['ip', 'netns', 'exec', this.netns, 'busybox', 'httpd', '-f', '-v', '-p', `${INTERNET_IP}:${port}`, '-h', www], { timeoutMs: 120_000 });
    this.#servers.push(srv);
    return srv;
  }

  async close(): Promise<void> {
    for (const s of this.#servers) {
      s.kill();
      await s.done;
    }
    // deleting the namespace removes eth0 and with it inet0 (and the sandbox's default route)
    await runCmd(['ip', 'netns', 'delete', this.netns], { timeoutMs: 10_000 });
  }
}
