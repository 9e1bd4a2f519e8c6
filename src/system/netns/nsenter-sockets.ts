import { spawn } from 'node:child_process';
import type dgram from 'node:dgram';
import type net from 'node:net';
import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import { run } from '../exec/exec.ts';
import type { NetnsListener, NetnsSockets, NetnsSysctl } from './port.ts';

/**
 * The child's program (plain CommonJS given with `-e`: no file to load, no TypeScript stripping, the fastest
 * start): binds UDP and TCP on argv[1] (kernel-chosen ports), sends both handles and their ports over the IPC
 * channel, exits. Errors are reported as `{ kind: "error" }`.
 */
export const BIND_CHILD = `
const dgram = require('node:dgram');
const net = require('node:net');
const address = process.argv[1];
const send = (m, h) => new Promise((ok, ko) => process.send(m, h, (e) => (e ? ko(e) : ok())));
const fail = (e) => send({ kind: 'error', error: e.message }).finally(() => process.exit(1));
const udp = dgram.createSocket('udp4');
udp.once('error', fail);
udp.bind({ address, port: 0, exclusive: true }, () => {
  const tcp = net.createServer();
  tcp.once('error', fail);
  tcp.listen({ host: address, port: 0, exclusive: true }, () => {
    send({ kind: 'udp', port: udp.address().port }, udp)
      .then(() => send({ kind: 'tcp', port: tcp.address().port }, tcp))
      .then(() => process.exit(0), fail);
  });
});
`;

/**
 * The real adapter: `nsenter -t <pid> -n <node> -e BIND_CHILD ADDR` with an IPC channel; the child binds and passes
 * the handles back (≈50 ms on an idle machine, Node's start-up), then exits.
 */
export class NsenterSockets implements NetnsSockets {
  readonly #node: string;
  readonly #timeoutMs: number;

  constructor(opts: { node?: string; timeoutMs?: number } = {}) {
    this.#node = opts.node ?? process.execPath;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
  }

  listen(ctx: Ctx, pid: number, address: string): Promise<NetnsListener> {
    return new Promise((resolve, reject) => {
      const child = spawn('nsenter', ['-t', String(pid), '-n', this.#node, '--no-warnings', '-e', BIND_CHILD, address], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        signal: ctx.signal,
      });
      let udp: { s: dgram.Socket; port: number } | undefined;
      let tcp: { s: net.Server; port: number } | undefined;
      let stderr = '';
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          udp?.s.close();
          tcp?.s.close();
          if (child.exitCode === null) child.kill('SIGKILL');
          reject(err);
          return;
        }
        resolve({ udp: udp!.s, tcp: tcp!.s, address, udpPort: udp!.port, tcpPort: tcp!.port });
      };
      const timer = setTimeout(() => finish(new SystemError(`binding ${address} in the namespace of pid ${pid}: timed out`)), this.#timeoutMs);
      child.stderr!.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      child.on('message', (m: { kind: string; port?: number; error?: string }, handle: unknown) => {
        if (m.kind === 'udp') udp = { s: handle as dgram.Socket, port: m.port! };
        else if (m.kind === 'tcp') tcp = { s: handle as net.Server, port: m.port! };
        else if (m.kind === 'error') finish(new SystemError(`binding ${address} in the namespace of pid ${pid}: ${m.error}`));
        if (udp && tcp) finish();
      });
      child.on('error', (e) => finish(new SystemError(`nsenter: ${e.message}`, { cause: e })));
      child.on('exit', (code) => {
        if (!(udp && tcp)) finish(new SystemError(`binding ${address} in the namespace of pid ${pid}: exit ${code}: ${stderr.trim()}`));
      });
    });
  }
}

/** Sysctls through `nsenter -t <pid> -n sysctl -w` (the fallback without the native helper: one process each). */
export class NsenterSysctl implements NetnsSysctl {
  async set(ctx: Ctx, pid: number, key: string, value: string): Promise<void> {
    await run(ctx, 'nsenter', ['-t', String(pid), '-n', 'sysctl', '-q', '-w', `${key}=${value}`]);
  }
}
