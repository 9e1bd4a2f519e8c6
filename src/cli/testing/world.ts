/** A canned engine for CLI tests: one container, images, networks, volumes, events, hijacked attach/exec. */
import type { FakeEngine, HijackCtx } from '../../client/testing/fake-engine.ts';
import { frame, sendError, sendJson } from '../../client/testing/fake-engine.ts';
export const now = 1795437000;
const cid = 'c0ffee'.padEnd(64, '1');
export const inspect = {
  Id: cid, Created: '2026-11-23T12:35:37.081050023Z', Path: 'sleep', Args: ['1000'],
  State: { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 18403, ExitCode: 0, Error: '', StartedAt: '2026-11-23T12:35:37.2Z', FinishedAt: '0001-01-01T00:00:00Z' },
  Image: 'sha256:' + 'a'.repeat(64), Name: '/t1', RestartCount: 0,
  HostConfig: { NetworkMode: 'default', AutoRemove: false, PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
  Config: { Hostname: 'c0ffee111111', Tty: false, OpenStdin: false, Env: ['PATH=/bin', 'A=<b>&'], Cmd: ['sleep', '1000'], Image: 'bb:latest', Labels: { app: 'x' }, ExposedPorts: { '80/tcp': {} } },
  NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '81/udp': [{ HostIp: '127.0.0.1', HostPort: '32768' }], '443/tcp': null }, Networks: { bridge: { IPAddress: '172.17.0.2' } } },
  Mounts: [{ Type: 'volume', Name: 'v1', Source: '/var/lib/v1', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }],
  Big: 0, Float: 1.5e-7,
};
export function setup(e: FakeEngine) {
  e.on('GET', '/containers/json', ({ res }) => sendJson(res, 200, [{ Id: cid, Names: ['/t1'], Image: 'bb:latest', ImageID: inspect.Image, Command: 'sleep 1000', Created: now, Ports: [], Labels: { app: 'x' }, State: 'running', Status: 'Up 2 hours' }]));
  e.on('GET', '/containers/:id/json', ({ res, params }) => {
    if (params[0] === 'nosuch') return sendError(res, 404, 'No such container: nosuch');
    // an int64 beyond double precision, as the daemon can send (timeNano-like values)
    const text = `${JSON.stringify(inspect).replace('"Big":0', '"Big":1795437596926875465')}\n`;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  e.on('GET', '/containers/:id/logs', ({ res }) => { res.writeHead(200, {}); res.write(frame(1, 'out1\n')); res.write(frame(2, 'err1\n')); res.end(frame(1, 'out2\n')); });
  for (const a of ['start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'rename', 'resize']) e.on('POST', `/containers/:id/${a}`, ({ res, params }) => { if (params[0] === 'nosuch') return sendError(res, 404, 'No such container: nosuch'); res.writeHead(204); res.end(); });
  e.on('DELETE', '/containers/:id', ({ res, params }) => { if (params[0] === 'nosuch') return sendError(res, 404, 'No such container: nosuch'); if (params[0] === 'busy') return sendError(res, 409, 'You cannot remove a running container busy. Stop the container before attempting removal or force remove'); res.writeHead(204); res.end(); });
  e.on('POST', '/containers/:id/wait', ({ res }) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.flushHeaders(); setTimeout(() => res.end('{"Error":null,"StatusCode":3}\n'), 50); });
  e.on('GET', '/containers/:id/top', ({ res }) => sendJson(res, 200, { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: [['root', '29512', '29491', '0', '12:38', '?', '00:00:00', 'sleep 1000']] }));
  e.on('GET', '/containers/:id/changes', ({ res }) => sendJson(res, 200, [{ Path: '/tmp', Kind: 0 }, { Path: '/tmp/x', Kind: 1 }, { Path: '/etc/y', Kind: 2 }]));
  e.on('POST', '/containers/prune', ({ res }) => sendJson(res, 200, { ContainersDeleted: ['aaa', 'bbb'], SpaceReclaimed: 123456 }));
  e.on('POST', '/commit', ({ res }) => sendJson(res, 201, { Id: 'sha256:' + 'e'.repeat(64) }));
  e.on('GET', '/images/json', ({ res }) => sendJson(res, 200, [
    { Containers: -1, Created: now - 86400 * 40, Id: 'sha256:' + '5'.repeat(64), Labels: null, ParentId: '', RepoDigests: ['bb@sha256:' + '6'.repeat(64)], RepoTags: ['bb:latest', 'bb:v1', 'localhost:5000/bb:x'], SharedSize: -1, Size: 1982298 },
    { Containers: -1, Created: now - 3600 * 3, Id: 'sha256:' + '7'.repeat(64), Labels: null, ParentId: '', RepoDigests: [], RepoTags: [], SharedSize: -1, Size: 123456789 },
  ]));
  e.on('GET', '/images/*/json', ({ res, params }) => params[0].startsWith('nosuch') ? sendError(res, 404, `No such image: ${params[0]}`) : sendJson(res, 200, { Id: 'sha256:' + '5'.repeat(64), RepoTags: ['bb:latest'], Size: 1982298, Config: { Cmd: ['sh'] } }));
  e.on('GET', '/images/*/history', ({ res }) => sendJson(res, 200, [{ Id: 'sha256:' + '5'.repeat(64), Created: now - 86400 * 40, CreatedBy: '/bin/sh -c #(nop)\tCMD ["sh"] and a very long command line indeed', Tags: ['bb:latest'], Size: 0, Comment: '' }, { Id: '<missing>', Created: now - 86400 * 41, CreatedBy: 'ADD file:abc in /', Tags: null, Size: 1982298, Comment: 'imported' }]));
  e.on('DELETE', '/images/*', ({ res, params }) => params[0].startsWith('nosuch') ? sendError(res, 404, `No such image: ${params[0]}`) : sendJson(res, 200, [{ Untagged: 'bb:latest' }, { Deleted: 'sha256:' + '5'.repeat(64) }]));
  e.on('POST', '/images/*/tag', ({ res }) => { res.writeHead(201); res.end(); });
  e.on('POST', '/images/prune', ({ res }) => sendJson(res, 200, { ImagesDeleted: [{ Untagged: 'x:1' }, { Deleted: 'sha256:abc' }], SpaceReclaimed: 4096 }));
  e.on('GET', '/networks', ({ res }) => sendJson(res, 200, [{ Name: 'n10', Id: '9'.repeat(64), Scope: 'local', Driver: 'bridge', Created: '2026-11-23T12:35:48.53198798Z' }, { Name: 'bridge', Id: '8'.repeat(64), Scope: 'local', Driver: 'bridge' }, { Name: 'n2', Id: '7'.repeat(64), Scope: 'local', Driver: 'bridge', Labels: { a: 'b' } }]));
  e.on('GET', '/networks/:id', ({ res, params }) => params[0] === 'nosuch' ? sendError(res, 404, 'network nosuch not found') : sendJson(res, 200, { Name: params[0], Id: '9'.repeat(64), Created: '2026-11-23T12:35:48.53198798Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false, IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] }, Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {} }));
  e.on('POST', '/networks/create', ({ res }) => sendJson(res, 201, { Id: '4'.repeat(64), Warning: '' }));
  e.on('DELETE', '/networks/:id', ({ res, params }) => { if (params[0] === 'nosuch') return sendError(res, 404, 'network nosuch not found'); res.writeHead(204); res.end(); });
  e.on('POST', '/networks/:id/connect', ({ res }) => { res.writeHead(200); res.end(); });
  e.on('POST', '/networks/:id/disconnect', ({ res }) => { res.writeHead(200); res.end(); });
  e.on('POST', '/networks/prune', ({ res }) => sendJson(res, 200, { NetworksDeleted: ['n2', 'n3'] }));
  e.on('GET', '/system/df', ({ res }) => sendJson(res, 200, { LayersSize: 0, Images: [], Containers: [], Volumes: [{ Name: 'v10', Driver: 'local', Mountpoint: '/x', Scope: 'local', Labels: null, UsageData: { Size: 2048, RefCount: 1 } }], BuildCache: [] }));
  e.on('GET', '/volumes', ({ res }) => sendJson(res, 200, { Volumes: [{ Name: 'v10', Driver: 'local', Mountpoint: '/x', Scope: 'local' }, { Name: 'v2', Driver: 'local', Mountpoint: '/y', Scope: 'local', Labels: { k: 'v' } }], Warnings: null }));
  e.on('GET', '/volumes/:n', ({ res, params }) => params[0] === 'nosuch' ? sendError(res, 404, 'get nosuch: no such volume') : sendJson(res, 200, { CreatedAt: '2026-11-23T12:39:02Z', Driver: 'local', Labels: { k: 'v' }, Mountpoint: '/v', Name: params[0], Options: null, Scope: 'local' }));
  e.on('POST', '/volumes/create', ({ res }) => sendJson(res, 201, { Name: 'newvol', Driver: 'local', Mountpoint: '/v', Scope: 'local' }));
  e.on('DELETE', '/volumes/:n', ({ res }) => { res.writeHead(204); res.end(); });
  e.on('POST', '/volumes/prune', ({ res }) => sendJson(res, 200, { VolumesDeleted: ['v1'], SpaceReclaimed: 10 }));
  e.on('GET', '/version', ({ res }) => sendJson(res, 200, { Platform: { Name: 'berth' }, Components: [{ Name: 'Engine', Version: '0.1.0', Details: { ApiVersion: '1.47', Arch: 'amd64', BuildTime: '2026-11-23T12:00:00.000000000+00:00', Experimental: 'false', GitCommit: 'abc', GoVersion: 'node', KernelVersion: '6.1', MinAPIVersion: '1.24', Os: 'linux' } }, { Name: 'conmon', Version: '2.1', Details: { GitCommit: 'x' } }], Version: '0.1.0', ApiVersion: '1.47', MinAPIVersion: '1.24', GitCommit: 'abc', GoVersion: 'node', Os: 'linux', Arch: 'amd64', KernelVersion: '6.1', BuildTime: '2026-11-23T12:00:00.000000000+00:00' }));
  e.on('GET', '/info', ({ res }) => sendJson(res, 200, { ID: 'X', Containers: 2, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 1, Images: 3, Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Plugins: { Volume: ['local'], Network: ['bridge', 'host'], Authorization: null, Log: ['json-file'] }, MemTotal: 8589934592, NCPU: 2, DockerRootDir: '/var/lib/berth', Name: 'host', Labels: [], ServerVersion: '0.1.0', Runtimes: { runc: { path: 'runc' }, crun: {} }, DefaultRuntime: 'crun', Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null }, SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'], CgroupDriver: 'systemd', CgroupVersion: '2', KernelVersion: '6.1.0', OperatingSystem: 'Debian', OSType: 'linux', Architecture: 'x86_64', LoggingDriver: 'json-file', InitBinary: 'berth-init', ContainerdCommit: { ID: '' }, RuncCommit: { ID: 'r1' }, InitCommit: { ID: '' }, IndexServerAddress: 'https://index.docker.io/v1/', RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: [] }, LiveRestoreEnabled: false, Warnings: ['WARNING: test warning'] }));
  e.on('POST', '/containers/create', ({ res }) => sendJson(res, 201, { Id: cid, Warnings: ['w1'] }));
  e.on('POST', '/containers/:id/exec', ({ res }) => sendJson(res, 201, { Id: 'e'.repeat(64) }));
  e.on('GET', '/exec/:id/json', ({ res }) => sendJson(res, 200, { ID: 'e'.repeat(64), Running: false, ExitCode: 5 }));
  e.on('POST', '/exec/:id/resize', ({ res }) => { res.writeHead(200); res.end(); });
  const hij = ({ socket, upgrade }: HijackCtx) => { upgrade(); socket.write(frame(1, 'hello\n')); socket.write(frame(2, 'oops\n')); setTimeout(() => socket.end(), 30); };
  e.onHijack('POST', '/containers/:id/attach', hij);
  e.onHijack('POST', '/exec/:id/start', hij);
  e.on('GET', '/events', ({ res }) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.write('{"status":"create","id":"5a59","from":"bb:latest","Type":"container","Action":"create","Actor":{"ID":"5a59","Attributes":{"name":"ev1","image":"bb:latest"}},"scope":"local","time":1795437596,"timeNano":1795437596926875465}\n'); res.end('{"Type":"network","Action":"connect","Actor":{"ID":"912f","Attributes":{"container":"431f","name":"n5","type":"bridge"}},"scope":"local","time":1795437597,"timeNano":1795437597000000001}\n'); });
  e.on('POST', '/images/create', ({ res }) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.write('{"status":"Pulling from library/bb","id":"latest"}\r\n{"status":"Pulling fs layer","progressDetail":{},"id":"b57aa649765e"}\r\n{"status":"Downloading","progressDetail":{"current":65536,"total":4065909},"progress":"[>   ]  65.54kB/4.066MB","id":"b57aa649765e"}\r\n{"status":"Pull complete","progressDetail":{},"id":"b57aa649765e"}\r\n'); res.end('{"status":"Digest: sha256:e772"}\r\n{"status":"Status: Downloaded newer image for bb:latest"}\r\n'); });
  e.on('POST', '/images/*/push', ({ res }) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.write('{"status":"The push refers to repository [127.0.0.1:5999/bb]"}\r\n'); res.end('{"errorDetail":{"message":"Get \\"http://127.0.0.1:5999/v2/\\": dial tcp: connection refused"},"error":"Get x"}\r\n'); });
  e.on('GET', '/images/get', ({ res }) => { res.writeHead(200, { 'Content-Type': 'application/x-tar' }); res.end('TARDATA'); });
  e.on('GET', '/containers/:id/export', ({ res }) => { res.writeHead(200, { 'Content-Type': 'application/x-tar' }); res.end('TARDATA2'); });
  e.on('POST', '/images/load', ({ res }) => sendJson(res, 200, { stream: 'Loaded image: bb:latest\n' }));
}
