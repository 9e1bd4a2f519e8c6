import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CmdResult } from '../support/proc.ts';
import { childrenOf, isAlive, runCmd, signalPid, sleep } from '../support/proc.ts';
import { PtySession } from '../support/pty.ts';
import { type RunningCmd, startCmd } from '../support/running-cmd.ts';
import { REPO_ROOT } from '../support/sandbox.ts';
import { assertExit, useSandbox } from './helpers.ts';

/**
 * ssh:// daemon hosts (issue 5): an sshd runs INSIDE the sandbox on 127.0.0.1 with a throwaway host key and
 * authorized key; berth and the stock docker CLI run inside the sandbox too, with `-H ssh://root@127.0.0.1:<port>`
 * (or DOCKER_HOST/BERTH_HOST/a context). The client's `ssh` is a wrapper that adds `-F <temp config>` (the
 * throwaway key, no known_hosts), the remote side is a ForceCommand script that puts berth (a symlink to
 * bin/berth) and a `docker` wrapper on the PATH — or docker alone, for the "docker-only" host alias — pointed at
 * the sandbox's daemon. Everything lives in a temp dir; sshd is stopped by pid.
 */
const sandbox = useSandbox({ label: 'ssh' });
const DOCKER = process.env.BERTH_TEST_DOCKER ?? '/usr/local/bin/docker';
const BERTH = join(REPO_ROOT, 'bin/berth');

let dir = '';
let port = 0;
let sshd: RunningCmd | undefined;
let sshdPid: number | undefined;

function nsenter(): string[] {
  return ['nsenter', '-t', String(sandbox().nsPid), '-n', '-m', '-p', '--wd=/', '--'];
}

/** Environment of a client inside the sandbox: our ssh wrapper first on PATH, no daemon address of the host. */
function clientEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: `${join(dir, 'client-bin')}:${process.env.PATH}`,
    BERTH_HOST: undefined,
    DOCKER_HOST: undefined,
    BERTH_CONTEXT: undefined,
    DOCKER_CONTEXT: undefined,
    BERTH_CONFIG: join(dir, 'berth-config'),
    DOCKER_CONFIG: join(dir, 'docker-config'),
    DOCKER_CLI_HINTS: 'false',
    NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
    ...extra,
  };
}

function host(alias = '127.0.0.1'): string {
  return `ssh://root@${alias}:${port}`;
}

function berth(args: string[], opts: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<CmdResult> {
  return sandbox().exec([BERTH, ...args], { input: opts.input, env: clientEnv(opts.env), timeoutMs: 90_000 });
}

function docker(args: string[], opts: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<CmdResult> {
  return sandbox().exec([DOCKER, ...args], { input: opts.input, env: clientEnv(opts.env), timeoutMs: 90_000 });
}

function remoteLog(): string {
  try {
    return readFileSync(join(dir, 'remote.log'), 'utf8');
  } catch {
    return '';
  }
}

function explain(r: CmdResult, why: string): string {
  return `${sandbox().explain(r, why)}\n--- sshd:\n${sshd?.stderr().slice(-3000) ?? ''}\n--- remote commands:\n${remoteLog().slice(-2000)}`;
}

function write(path: string, text: string, mode = 0o644): void {
  writeFileSync(path, text);
  chmodSync(path, mode);
}

async function setUp(): Promise<void> {
  const sb = sandbox();
  dir = mkdtempSync('/tmp/berth-ssh-');
  port = 20_000 + Math.floor(Math.random() * 20_000);
  for (const d of ['client-bin', 'remote-berth', 'remote-docker', 'remote-none', 'berth-config', 'docker-config', 'remote-config']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'docker-config/config.json'), '{}\n');
  writeFileSync(join(dir, 'remote-config/config.json'), '{}\n');
  for (const key of ['host_key', 'id_client']) {
    const r = await runCmd(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `berth-test-${key}`, '-f', join(dir, key)]);
    assert.equal(r.code, 0, `ssh-keygen: ${r.stderr}`);
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_client.pub')));
  // the remote side: berth (bin/berth through a symlink, as an installed CLI would be) and a docker CLI
  symlinkSync(BERTH, join(dir, 'remote-berth/berth'));
  const dockerWrapper = `#!/bin/sh\necho "docker $*" >> ${dir}/remote.log\nexec ${DOCKER} "$@"\n`;
  write(join(dir, 'remote-berth/docker'), dockerWrapper, 0o755);
  write(join(dir, 'remote-docker/docker'), dockerWrapper, 0o755);
  write(
    join(dir, 'remote.sh'),
    [
      '#!/bin/sh',
      `case "$BERTH_T_REMOTE" in docker-only) PATH=${dir}/remote-docker:$PATH ;; none) PATH=${dir}/remote-none ;; *) PATH=${dir}/remote-berth:$PATH ;; esac`,
      `BERTH_HOST=${sb.host} DOCKER_HOST=${sb.host} BERTH_CONFIG=${dir}/remote-config DOCKER_CONFIG=${dir}/remote-config`,
      `NODE_COMPILE_CACHE=${dir}/compile-cache`,
      'export PATH BERTH_HOST DOCKER_HOST BERTH_CONFIG DOCKER_CONFIG NODE_COMPILE_CACHE',
      `echo "remote: $SSH_ORIGINAL_COMMAND" >> ${dir}/remote.log`,
      'exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"',
      '',
    ].join('\n'),
    0o755,
  );
  write(
    join(dir, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${dir}/host_key`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'AcceptEnv BERTH_T_REMOTE',
      `ForceCommand ${dir}/remote.sh`,
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  // the client side: the system ssh, told to use the throwaway key and to neither check nor write known_hosts
  write(
    join(dir, 'ssh_config'),
    [
      'Host docker-only',
      '  HostName 127.0.0.1',
      '  SetEnv BERTH_T_REMOTE=docker-only',
      'Host nothing',
      '  HostName 127.0.0.1',
      '  SetEnv BERTH_T_REMOTE=none',
      'Host *',
      `  IdentityFile ${dir}/id_client`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile /dev/null',
      '  GlobalKnownHostsFile /dev/null',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  write(join(dir, 'client-bin/ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/ssh_config "$@"\n`, 0o755);
  chmodSync(join(dir, 'id_client'), 0o600);

  // sshd's privilege separation dir, on the sandbox's own /run
  const mk = await sb.exec(['mkdir', '-p', '-m', '0755', '/run/sshd']);
  assert.equal(mk.code, 0, mk.stderr);
  sshd = startCmd([...nsenter(), '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')]);
  const deadline = Date.now() + 15_000;
  while (!/Server listening on 127\.0\.0\.1 port/.test(sshd.stderr())) {
    if (Date.now() > deadline) throw new Error(`sshd did not start:\n${sshd.stderr()}`);
    await sleep(50);
  }
  sshdPid = sshd.pid === undefined ? undefined : childrenOf(sshd.pid)[0];
}

async function tearDown(): Promise<void> {
  if (sshdPid !== undefined && isAlive(sshdPid)) signalPid(sshdPid, 'SIGTERM');
  if (sshd) {
    const gone = await Promise.race([sshd.done.then(() => true), sleep(5000).then(() => false)]);
    if (!gone) sshd.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

describe('ssh:// hosts', () => {
before(setUp);
after(tearDown);

describe('berth -H ssh://', () => {
  test('ps lists the remote daemon\'s containers; the remote ran berth system dial-stdio', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'ssh-top', 'bb', 'sleep', '1000']);
    const r = await berth(['-H', host(), 'ps', '--format', '{{.Names}} {{.Image}}']);
    assert.equal(r.code, 0, explain(r, 'berth ps over ssh'));
    assert.match(r.stdout, /^ssh-top bb$/m, explain(r, 'ssh-top listed'));
    const table = await berth(['-H', host(), 'ps']);
    assert.equal(table.code, 0, explain(table, 'table'));
    assert.match(table.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
    assert.match(remoteLog(), /remote: command -v berth >\/dev\/null 2>&1 && exec berth system dial-stdio \|\| exec docker system dial-stdio/);
    await sb.dockerOk(['rm', '-f', 'ssh-top']);
  });

  test('run --rm bb echo hi: attach, start and wait over ssh connections', async () => {
    const r = await berth(['-H', host(), 'run', '--rm', 'bb', 'echo', 'hi']);
    assert.equal(r.code, 0, explain(r, 'run --rm'));
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.stderr, '');
  });

  test('run -i: piped stdin reaches the container, its end closes it, the exit code comes back', async () => {
    const r = await berth(['-H', host(), 'run', '-i', '--rm', 'bb', 'sh', '-c', 'cat; echo err >&2; exit 3'], { input: 'line one\nline two\n' });
    assert.equal(r.code, 3, explain(r, 'run -i exit code'));
    assert.equal(r.stdout, 'line one\nline two\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('logs and logs -f', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'ssh-logs', 'bb', 'sh', '-c', 'echo out1; echo err1 >&2; i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.3; done']);
    try {
      await sleep(500);
      const r = await berth(['-H', host(), 'logs', 'ssh-logs']);
      assert.equal(r.code, 0, explain(r, 'logs'));
      assert.match(r.stdout, /^out1\ntick0\n/);
      assert.equal(r.stderr, 'err1\n');
      const f = startCmd([...nsenter(), BERTH, '-H', host(), 'logs', '-f', '--tail', '0', 'ssh-logs'], { env: clientEnv() });
      try {
        await f.waitForStdout(/tick\d+\n[\s\S]*tick\d+\n/, 20_000);
      } finally {
        f.kill('SIGINT');
        await f.done;
      }
    } finally {
      await sb.dockerOk(['rm', '-f', 'ssh-logs']);
    }
  });

  test('exec -it on a pseudo-terminal', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'ssh-exec', 'bb', 'sleep', '1000']);
    const s = new PtySession([...nsenter(), BERTH, '-H', host(), 'exec', '-it', 'ssh-exec', 'sh'], { env: clientEnv(), timeoutMs: 60_000 });
    try {
      await s.expect(/# $/m, 30_000);
      s.send('tty; echo "sum=$((40+2))"\r');
      await s.expect(/\/dev\/pts\/\d+/);
      await s.expect('sum=42');
      s.send('exit 4\r');
      const r = await s.wait();
      assert.equal(r.code, 4, `exit code of exec -it over ssh\n${r.text}\n${sshd?.stderr().slice(-2000)}`);
    } finally {
      s.kill();
      await sb.dockerOk(['rm', '-f', 'ssh-exec']);
    }
  });

  test('BERTH_HOST, DOCKER_HOST and a context with an ssh endpoint', async () => {
    for (const env of [{ BERTH_HOST: host() }, { DOCKER_HOST: host() }]) {
      const r = await berth(['version', '--format', '{{.Server.Version}}'], { env });
      assert.equal(r.code, 0, explain(r, `version with ${Object.keys(env)[0]}`));
      assert.match(r.stdout, /^\S+\n$/);
    }
    const c = await berth(['context', 'create', 'remote', '--docker', `host=${host()}`]);
    assert.equal(c.code, 0, explain(c, 'context create'));
    const r = await berth(['--context', 'remote', 'run', '--rm', 'bb', 'echo', 'via-context']);
    assert.equal(r.code, 0, explain(r, 'run through the context'));
    assert.equal(r.stdout, 'via-context\n');
    const ls = await berth(['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}']);
    assert.match(ls.stdout, new RegExp(`^remote ${host().replace(/[.]/g, '\\.')}$`, 'm'));
  });

  test('a remote with docker only: docker system dial-stdio carries berth', async () => {
    const before = remoteLog().length;
    const r = await berth(['-H', host('docker-only'), 'run', '--rm', 'bb', 'echo', 'through-docker']);
    assert.equal(r.code, 0, explain(r, 'run through a docker-only remote'));
    assert.equal(r.stdout, 'through-docker\n');
    assert.match(remoteLog().slice(before), /^docker system dial-stdio$/m, 'the remote docker CLI did the proxying');
  });

  test('the stock docker CLI with DOCKER_HOST=ssh:// through the same sshd', async () => {
    const ps = await docker(['ps', '--format', '{{.Names}}'], { env: { DOCKER_HOST: host() } });
    assert.equal(ps.code, 0, explain(ps, 'docker ps over ssh'));
    const r = await docker(['run', '--rm', '-i', 'bb', 'sh', '-c', 'cat; exit 2'], { env: { DOCKER_HOST: host() }, input: 'from docker\n' });
    assert.equal(r.code, 2, explain(r, 'docker run -i over ssh'));
    assert.equal(r.stdout, 'from docker\n');
  });
});

describe('ssh failures, worded as docker words them', () => {
  test('nothing listening: exit 1, "error during connect" with the ssh command and its stderr', async () => {
    const closed = port === 65_000 ? 65_001 : 65_000;
    const url = `ssh://root@127.0.0.1:${closed}`;
    const b = await berth(['-H', url, 'ps']);
    assertExit(sandbox(), b, 1, 'berth ps to a closed port');
    assert.match(b.stderr, /^error during connect: Get "http:\/\/docker\.example\.com\/v1\.\d+\/containers\/json": command \[ssh -o ConnectTimeout=30 -T -l root -p 65000 -- 127\.0\.0\.1 /);
    assert.match(b.stderr, /has exited with exit status 255, make sure the URL is valid, and berth or Docker 18\.09 or later is installed on the remote host: stderr=ssh: connect to host 127\.0\.0\.1 port 65000: Connection refused\r?\n/);
    assert.equal(b.stdout, '');
    const d = await docker(['-H', url, 'ps']);
    assert.equal(d.code, 1);
    const shape = (s: string) => s.replace(/v1\.\d+/, 'v1.X').replace(/ -- 127\.0\.0\.1 .*\] has exited/, ' -- 127.0.0.1 …] has exited').replace(/and (berth or )?Docker/, 'and Docker');
    assert.equal(shape(b.stderr), shape(d.stderr), 'same message as docker, up to the remote command and API version');
  });

  test('a remote with neither berth nor docker', async () => {
    const r = await berth(['-H', host('nothing'), 'ps']);
    assertExit(sandbox(), r, 1, 'no remote CLI');
    assert.match(r.stderr, /has exited with exit status 127, make sure the URL is valid, and berth or Docker 18\.09 or later is installed on the remote host: stderr=.*docker: not found/);
  });

  test('malformed ssh:// addresses fail before connecting', async () => {
    for (const [h, msg] of [
      ['ssh://', 'Failed to initialize: ssh host connection is not valid: invalid SSH URL: hostname is empty'],
      ['ssh://a:b@host', 'Failed to initialize: ssh host connection is not valid: invalid SSH URL: plain-text password is not supported'],
      ['ssh://host?x=1', 'Failed to initialize: ssh host connection is not valid: invalid SSH URL: query parameters are not allowed: "x=1"'],
      ['ssh://host:abc', 'Failed to initialize: parse "ssh://host:abc": invalid port ":abc" after host'],
    ] as const) {
      const b = await berth(['-H', h, 'ps']);
      assert.equal(b.code, 1, `${h}: ${b.stderr}`);
      assert.equal(b.stderr, `${msg}\n`, h);
      const d = await docker(['-H', h, 'ps']);
      assert.equal(d.stderr, `${msg}\n`, `docker says the same for ${h}`);
    }
  });
});
});
