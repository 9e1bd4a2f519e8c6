import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

/**
 * A stand-in for berthd used by the sandbox's own tests: takes dockerd's flags, writes its pidfile, mounts a
 * tmpfs under the data root, leaves an orphan process behind (as conmon does), and answers /_ping and /version
 * on the unix socket. STUB_FAIL=1 makes it exit at once with an error.
 */
function flag(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

const args = process.argv.slice(2);
if (process.env.STUB_FAIL === '1') {
  console.error('stub-daemon: failing on purpose (STUB_FAIL=1)');
  process.exit(1);
}
const host = flag(args, '-H', '--host') ?? '';
const socket = host.replace(/^unix:\/\//, '');
const dataRoot = flag(args, '--data-root')!;
const execRoot = flag(args, '--exec-root')!;
const pidfile = flag(args, '--pidfile');
if (!socket || !dataRoot || !execRoot) {
  console.error('stub-daemon: need -H unix://…, --data-root and --exec-root');
  process.exit(125);
}
if (pidfile) writeFileSync(pidfile, `${process.pid}\n`);
mkdirSync(join(dataRoot, 'stub-mnt'), { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', 'stub', join(dataRoot, 'stub-mnt')]);
mkdirSync(execRoot, { recursive: true });
// an orphan, as conmon is once it has double-forked
spawn('sh', ['-c', `sleep 1000 & echo $! > ${join(execRoot, 'orphan.pid')}`], { stdio: 'ignore' });

const server = createServer((req, res) => {
  const path = (req.url ?? '/').replace(/^\/v[0-9.]+\//, '/').split('?')[0];
  const common = { 'Api-Version': '1.47', Ostype: 'linux', Server: 'stub-daemon' };
  if (path === '/_ping') {
    res.writeHead(200, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  } else if (path === '/version') {
    res.writeHead(200, { ...common, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ Version: '0.0.0-stub', ApiVersion: '1.47', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64', Components: [] }));
  } else {
    res.writeHead(404, { ...common, 'Content-Type': 'application/json' });
    res.end('{"message":"page not found"}\n');
  }
});
rmSync(socket, { force: true });
server.listen(socket);
process.on('SIGTERM', () => {
  server.close();
  rmSync(socket, { force: true });
  process.exit(0);
});
