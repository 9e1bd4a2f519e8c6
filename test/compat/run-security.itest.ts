import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Sandbox } from '../support/sandbox.ts';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';

/**
 * Security and namespaces through the stock docker CLI: capabilities, --privileged on a host whose bounding set
 * lacks a capability, the default seccomp profile, --security-opt, --read-only, masked paths, --sysctl, devices,
 * --pid/--ipc/--uts/--cgroupns modes.
 */
const sandbox = useSandbox({ label: 'sec' });

async function run(args: string[], script: string) {
  return sandbox().docker(['run', '--rm', ...args, 'bb', 'sh', '-c', script]);
}

function capMask(status: string, which = 'CapBnd'): bigint {
  const m = new RegExp(`^${which}:\\s*([0-9a-f]+)$`, 'm').exec(status);
  assert.ok(m, status);
  return BigInt(`0x${m[1]}`);
}

describe('capabilities', () => {
  test("Docker's 14 default capabilities", async () => {
    const r = await run([], 'grep CapBnd /proc/self/status');
    assert.equal(capMask(r.stdout), 0xa80425fbn);
  });

  test('--cap-drop CHOWN: chown fails; --cap-add NET_ADMIN: ip link add works, not by default', async () => {
    const sb = sandbox();
    assertExit(sb, await run([], 'chown 1 /tmp'), 0, 'chown works by default');
    const drop = await run(['--cap-drop', 'CHOWN'], 'chown 1 /tmp');
    assertExit(sb, drop, 1);
    assertStderr(sb, drop, 'Operation not permitted');
    const def = await run([], 'ip link add d0 type bridge');
    assertExit(sb, def, 2);
    assertStderr(sb, def, 'Operation not permitted');
    assertExit(sb, await run(['--cap-add', 'NET_ADMIN'], 'ip link add d0 type bridge && ip link show d0 >/dev/null'), 0);
    const all = await run(['--cap-drop', 'ALL', '--cap-add', 'KILL'], 'grep CapBnd /proc/self/status');
    assert.equal(capMask(all.stdout), 1n << 5n, 'drop ALL then add KILL');
  });

  test('unknown or unavailable capabilities are refused', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', '--cap-add', 'FOO', 'bb', 'true']);
    assertExit(sb, r, 125);
    assertStderr(sb, r, 'invalid CapAdd: unknown capability: "CAP_FOO"');
    const status = (await sb.exec(['cat', '/proc/self/status'])).stdout;
    if ((capMask(status, 'CapEff') >> 24n) & 1n) return; // this host's daemon holds CAP_SYS_RESOURCE
    const u = await sb.docker(['run', '--rm', '--cap-add', 'SYS_RESOURCE', 'bb', 'true']);
    assertExit(sb, u, 125);
    assertStderr(sb, u, 'capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"');
  });

  test('--privileged: every capability the daemon holds, all devices, no masked paths, no seccomp', async () => {
    const sb = sandbox();
    const daemonCaps = capMask((await sb.exec(['cat', '/proc/self/status'])).stdout, 'CapEff');
    const r = await run(['--privileged'], 'grep -E "^(CapBnd|Seccomp):" /proc/self/status; ls /dev | wc -l; grep -c " /proc/sys " /proc/self/mountinfo; ip link add d0 type bridge && echo net-admin');
    assertExit(sb, r, 0);
    assert.equal(capMask(r.stdout), daemonCaps, 'the daemon\'s own capabilities');
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[1]!, /^Seccomp:\s+0$/);
    assert.ok(Number(lines[2]) > 20, `host devices: ${lines[2]}`);
    assert.equal(lines[3], '0', '/proc/sys is not read-only');
    assert.equal(lines[4], 'net-admin');
    if (daemonCaps !== (1n << 41n) - 1n) assertStderr(sb, r, /WARNING: The daemon does not hold CAP_\w+/);
  });
});

describe('seccomp and --security-opt', () => {
  test('the default profile blocks what seccomp=unconfined allows (unshare of a user namespace)', async () => {
    const sb = sandbox();
    const blocked = await run([], 'grep "^Seccomp:" /proc/self/status; unshare -U true');
    assertExit(sb, blocked, 1);
    assert.match(blocked.stdout, /^Seccomp:\s+2$/m, 'filter mode');
    assertStderr(sb, blocked, 'Operation not permitted');
    const allowed = await run(['--security-opt', 'seccomp=unconfined'], 'grep "^Seccomp:" /proc/self/status; unshare -U true && echo ok');
    assertExit(sb, allowed, 0);
    assert.match(allowed.stdout, /^Seccomp:\s+0\nok$/m);
    // with crun, the profile was compiled once by the host's libseccomp and handed over as BPF
    if (existsSync('/usr/bin/python3') && existsSync('/usr/lib/x86_64-linux-gnu/libseccomp.so.2')) {
      assert.ok(readdirSync(join(sb.dataRoot, 'seccomp-cache')).some((f) => f.endsWith('.b64')), 'a compiled profile in the cache');
    }
  });

  test('a custom profile file, no-new-privileges, bad options', async () => {
    const sb = sandbox();
    const profile = `${sb.dir}/deny-mkdir.json`;
    await sb.exec(['sh', '-c', `printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}' > ${profile}`]);
    const r = await run(['--security-opt', `seccomp=${profile}`], 'mkdir /x');
    assertExit(sb, r, 1);
    assertStderr(sb, r, 'Operation not permitted');
    const nnp = await run(['--security-opt', 'no-new-privileges'], 'grep NoNewPrivs /proc/self/status');
    assert.match(nnp.stdout, /NoNewPrivs:\s+1/);
    assert.match((await run([], 'grep NoNewPrivs /proc/self/status')).stdout, /NoNewPrivs:\s+0/);
    const bad = await sb.docker(['run', '--rm', '--security-opt', 'bogus=1', 'bb', 'true']);
    assertExit(sb, bad, 125);
    assertStderr(sb, bad, 'invalid --security-opt 2: "bogus=1"');
    const lsm = await sb.docker(['run', '--rm', '--security-opt', 'apparmor=docker-default', '--security-opt', 'label=level:s0', 'bb', 'true']);
    assertExit(sb, lsm, 0);
    assertStderr(sb, lsm, /WARNING: AppArmor is not enabled on this host/);
    assertStderr(sb, lsm, /WARNING: SELinux is not enabled on this host/);
  });

  test('masked and read-only /proc paths; systempaths=unconfined; --read-only', async () => {
    const sb = sandbox();
    const def = await run([], 'grep -c " /proc/sys " /proc/self/mountinfo; cat /proc/timer_list | wc -c; echo 1 > /proc/sys/kernel/domainname');
    assert.match(def.stdout, /^1\n0\n/);
    assertStderr(sb, def, /Read-only file system/);
    assert.equal((await run(['--security-opt', 'systempaths=unconfined'], 'grep -c " /proc/sys " /proc/self/mountinfo')).stdout.trim(), '0');
    const ro = await run(['--read-only'], 'touch /x; echo rc=$?; touch /dev/shm/ok && echo shm-writable');
    assert.equal(ro.stdout, 'rc=1\nshm-writable\n');
    assertStderr(sb, ro, 'Read-only file system');
    const inspect = await sb.dockerOk(['create', '--read-only', 'bb', 'true']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.HostConfig.ReadonlyRootfs}} {{len .HostConfig.MaskedPaths}}', inspect]), 'true 12');
    await sb.dockerOk(['rm', inspect]);
  });

  test('--sysctl: namespaced ones are set, others refused', async () => {
    const sb = sandbox();
    assert.equal((await run(['--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmni=1234'], 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni')).stdout, '1\n1234\n');
    const host = await sb.docker(['run', '--rm', '--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1', 'bb', 'true']);
    assertExit(sb, host, 125);
    assertStderr(sb, host, 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace');
    const ipc = await sb.docker(['run', '--rm', '--ipc', 'host', '--sysctl', 'kernel.shmmni=1', 'bb', 'true']);
    assertExit(sb, ipc, 125);
    assertStderr(sb, ipc, 'sysctl "kernel.shmmni" is not allowed in the hosts ipc namespace');
    const api = await sb.request('POST', '/containers/create', { body: JSON.stringify({ Image: 'bb', Cmd: ['true'], HostConfig: { Sysctls: { 'kernel.panic': '1' } } }) });
    assert.equal(api.status, 201, api.body);
    const id = JSON.parse(api.body).Id as string;
    const start = await sb.docker(['start', id]);
    assertExit(sb, start, 1);
    assertStderr(sb, start, 'sysctl "kernel.panic" is not in a separate kernel namespace');
    await sb.dockerOk(['rm', id]);
  });

  test('--device and --device-cgroup-rule', async () => {
    const sb = sandbox();
    const d = await run(['--device', '/dev/zero:/dev/myzero:rw'], 'ls -l /dev/myzero; head -c 4 /dev/myzero | wc -c');
    assertExit(sb, d, 0);
    assert.match(d.stdout, /^crw.* 1,\s+5 .* \/dev\/myzero\n4\n$/);
    const kmsg = await run([], 'ls /dev/kmsg');
    assertExit(sb, kmsg, 1, '/dev/kmsg is not there by default');
    assertExit(sb, await run(['--device', '/dev/kmsg'], 'test -c /dev/kmsg'), 0);
    // the device cgroup: a block device node made inside cannot be opened, unless a rule allows it
    const denied = await run([], 'mknod /dev/l b 7 0 && head -c 1 /dev/l');
    assertStderr(sb, denied, 'head: /dev/l: Operation not permitted');
    const allowed = await run(['--device-cgroup-rule', 'b 7:0 rwm'], 'mknod /dev/l b 7 0 && head -c 1 /dev/l');
    assert.doesNotMatch(allowed.stderr, /Operation not permitted/, sb.explain(allowed));
    const missing = await sb.docker(['run', '--rm', '--device', '/dev/nosuchdev', 'bb', 'true']);
    // dockerd fails the same way at start; the CLI turns "no such file or directory" into 127
    assertExit(sb, missing, 127);
    assertStderr(sb, missing, 'error gathering device information while adding custom device "/dev/nosuchdev"');
  });
});

describe('namespaces', () => {
  test('--ipc shareable donor, container:<donor>, private refused, none, host', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'donor', '--ipc', 'shareable', 'bb', 'sh', '-c', 'echo secret > /dev/shm/s; sleep 1000']);
    await sb.dockerOk(['run', '-d', '--name', 'priv', 'bb', 'sleep', '1000']);
    await new Promise((r) => setTimeout(r, 200));
    const join = await run(['--ipc', 'container:donor'], 'cat /dev/shm/s; readlink /proc/self/ns/ipc');
    assertExit(sb, join, 0);
    const donorNs = await sb.dockerOk(['exec', 'donor', 'readlink', '/proc/self/ns/ipc']);
    assert.equal(join.stdout, `secret\n${donorNs}\n`, 'same IPC namespace and /dev/shm');
    const priv = await sb.docker(['run', '--rm', '--ipc', 'container:priv', 'bb', 'true']);
    assertExit(sb, priv, 125);
    assertStderr(sb, priv, 'non-shareable IPC (hint: use IpcMode:shareable for the donor container)');
    const none = await run(['--ipc', 'none'], 'test -e /dev/shm || echo no-shm');
    assert.equal(none.stdout, 'no-shm\n');
    const hostNs = (await sb.exec(['readlink', '/proc/self/ns/ipc'])).stdout.trim();
    assert.equal((await run(['--ipc', 'host'], 'readlink /proc/self/ns/ipc')).stdout.trim(), hostNs);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.HostConfig.IpcMode}}', 'priv']), 'private', 'the default mode');
    await sb.dockerOk(['rm', '-f', 'donor', 'priv']);
  });

  test('--pid host and container:<name>; a stopped one is refused', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'pidsrc', 'bb', 'sleep', '1000']);
    const ps = await run(['--pid', 'container:pidsrc'], 'ps -o comm | grep -c "^sleep$"');
    assert.equal(ps.stdout.trim(), '1', 'sees the other container\'s sleep');
    const hostPidNs = (await sb.exec(['readlink', '/proc/1/ns/pid'])).stdout.trim();
    assert.equal((await run(['--pid', 'host'], 'readlink /proc/self/ns/pid')).stdout.trim(), hostPidNs);
    await sb.dockerOk(['stop', '-t', '0', 'pidsrc']);
    const stopped = await sb.docker(['run', '--rm', '--pid', 'container:pidsrc', 'bb', 'true']);
    assertExit(sb, stopped, 125);
    assertStderr(sb, stopped, 'container pidsrc is not running');
    const bad = await sb.docker(['run', '--rm', '--pid', 'bogus', 'bb', 'true']);
    assertExit(sb, bad, 125);
    assertStderr(sb, bad, /invalid PID mode: bogus|--pid: invalid PID mode/);
    await sb.dockerOk(['rm', 'pidsrc']);
  });

  test('--uts host (and --hostname refused with it), --cgroupns private', async () => {
    const sb = sandbox();
    const hostUts = (await sb.exec(['readlink', '/proc/self/ns/uts'])).stdout.trim();
    assert.equal((await run(['--uts', 'host'], 'readlink /proc/self/ns/uts')).stdout.trim(), hostUts);
    const conflict = await sb.docker(['run', '--rm', '--uts', 'host', '-h', 'x', 'bb', 'true']);
    assertExit(sb, conflict, 125);
    assertStderr(sb, conflict, 'conflicting options: hostname and the UTS mode');
    const hostCg = (await sb.exec(['readlink', '/proc/self/ns/cgroup'])).stdout.trim();
    assert.equal((await run([], 'readlink /proc/self/ns/cgroup')).stdout.trim(), hostCg, 'cgroup v1: the host cgroup namespace by default');
    const priv = await run(['--cgroupns', 'private'], 'readlink /proc/self/ns/cgroup; grep memory /proc/self/cgroup');
    const [ns, line] = priv.stdout.trim().split('\n');
    assert.notEqual(ns, hostCg);
    assert.match(line!, /:memory:\/$/, 'its own cgroup is the root of its namespace');
  });

  test('--group-add and --cgroup-parent', async () => {
    const sb = sandbox();
    assert.equal((await run(['--group-add', '123', '--group-add', '456'], 'id -G')).stdout, '0 123 456\n');
    const nog = await sb.docker(['run', '--rm', '--group-add', 'nosuchgroup', 'bb', 'true']);
    assertExit(sb, nog, 125);
    assertStderr(sb, nog, 'Unable to find group nosuchgroup');
    const parent = `berth-t-parent-${process.pid}`;
    try {
      const cg = await run(['--cgroup-parent', parent], 'grep memory /proc/self/cgroup');
      assert.match(cg.stdout, new RegExp(`:memory:/${parent}/[0-9a-f]{64}$`, 'm'));
    } finally {
      // the runtime removes the container's cgroup, not the parent it made
      for (const d of readdirSync('/sys/fs/cgroup')) {
        try {
          rmdirSync(join('/sys/fs/cgroup', d, parent));
        } catch {
          // not in this hierarchy
        }
      }
    }
  });
});

/**
 * The daemon's defaults for containers that do not say otherwise: `no-new-privileges` and `seccomp-profile`
 * (unconfined, then a profile file). A daemon of its own, restarted with each configuration.
 */
describe('daemon defaults: no-new-privileges and seccomp-profile', () => {
  let d: Sandbox | undefined;
  const daemon = (): Sandbox => d ?? assert.fail('sandbox not created');
  const runIn = (args: string[], script: string) => daemon().docker(['run', '--rm', ...args, 'bb', 'sh', '-c', script]);

  before(async () => {
    d = await Sandbox.create({ label: 'secdef', daemonConfig: { 'no-new-privileges': true, 'seccomp-profile': 'unconfined' } });
    await d.importBusybox('bb');
  });
  after(async () => {
    await d?.close();
  });

  test('no-new-privileges: set for containers, unless --security-opt no-new-privileges=false', async () => {
    const sb = daemon();
    assert.match((await runIn([], 'grep NoNewPrivs /proc/self/status')).stdout, /^NoNewPrivs:\s+1$/m);
    assert.match((await runIn(['--security-opt', 'no-new-privileges=false'], 'grep NoNewPrivs /proc/self/status')).stdout, /^NoNewPrivs:\s+0$/m);
    const exec = await sb.dockerOk(['run', '-d', '--name', 'nnp-exec', 'bb', 'sleep', '60']);
    try {
      assert.match(await sb.dockerOk(['exec', exec, 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+1/, 'exec too');
    } finally {
      await sb.docker(['rm', '-f', 'nnp-exec']);
    }
  });

  test('seccomp-profile unconfined: no filter by default; seccomp=builtin brings Docker\'s back', async () => {
    const sb = daemon();
    const r = await runIn([], 'grep "^Seccomp:" /proc/self/status; unshare -U true && echo unshared');
    assertExit(sb, r, 0);
    assert.match(r.stdout, /^Seccomp:\s+0\nunshared$/m);
    const b = await runIn(['--security-opt', 'seccomp=builtin'], 'grep "^Seccomp:" /proc/self/status; unshare -U true');
    assertExit(sb, b, 1);
    assert.match(b.stdout, /^Seccomp:\s+2$/m);
    const info = JSON.parse(await sb.dockerOk(['info', '--format', '{{json .}}'])) as { SecurityOptions: string[]; Warnings: string[] | null };
    assert.ok(info.SecurityOptions.includes('name=seccomp,profile=unconfined'), JSON.stringify(info.SecurityOptions));
    assert.ok(info.Warnings?.includes('WARNING: daemon is not using the default seccomp profile'), JSON.stringify(info.Warnings));
  });

  test('seccomp-profile <file>: the profile of containers that name none (not of privileged ones)', async () => {
    const sb = daemon();
    const profile = `${sb.dir}/deny-mkdir.json`;
    writeFileSync(profile, '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}');
    writeFileSync(sb.configFile, JSON.stringify({ 'seccomp-profile': profile }));
    await sb.restart();
    const r = await runIn([], 'grep "^Seccomp:" /proc/self/status; grep NoNewPrivs /proc/self/status; mkdir /x');
    assertExit(sb, r, 1);
    assert.match(r.stdout, /^Seccomp:\s+2\nNoNewPrivs:\s+0$/m, 'the file\'s filter; no-new-privileges is off again');
    assertStderr(sb, r, 'Operation not permitted');
    assertExit(sb, await runIn(['--security-opt', 'seccomp=unconfined'], 'mkdir /x'), 0);
    assertExit(sb, await runIn(['--security-opt', 'seccomp=builtin'], 'mkdir /x'), 0);
    const priv = await runIn(['--privileged'], 'grep "^Seccomp:" /proc/self/status; mkdir /x && echo made');
    assert.match(priv.stdout, /^Seccomp:\s+0\nmade$/m);
    const opts = await sb.dockerOk(['info', '--format', '{{json .SecurityOptions}}']);
    assert.ok((JSON.parse(opts) as string[]).includes(`name=seccomp,profile=${profile}`), opts);
  });
});
