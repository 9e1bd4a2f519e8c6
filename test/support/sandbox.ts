import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { busyboxTar } from './busybox-image.ts';
import { cgroupsOfPids, removeCgroups } from './cgroups.ts';
import { type NsHolder, createHolder, destroyHolder, holderAlive, holderPids, nsenterArgs } from './holder.ts';
import { ping, unixRequest } from './http-unix.ts';
import { parseMountinfo } from './leak-scan.ts';
import { testRunId, uniqueName } from './names.ts';
import { type CmdOptions, type CmdResult, childrenOf, clip, describeCmd, isAlive, killGroup, mergeEnv, runCmd, signalPid, waitFor } from './proc.ts';
import { PtySession, type PtyOptions } from './pty.ts';
import { type RunningCmd, startCmd } from './running-cmd.ts';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

export interface SandboxOptions {
  /** A word for logs and the netns name. */
  label?: string;
  /** Start the daemon in create() (default true). */
  startDaemon?: boolean;
  /**
   * The daemon's argv before the flags the sandbox adds (default `<repo>/bin/berthd`, or $BERTH_TEST_DAEMON: with
   * BERTH_TEST_DAEMON=/usr/sbin/dockerd the same tests run against the reference daemon).
   */
  daemonCommand?: string[];
  /** Extra daemon flags, e.g. ['--live-restore']. */
  daemonArgs?: string[];
  /** Written to the daemon's --config-file (default `{}`: the host's /etc/berth/daemon.json is never read). */
  daemonConfig?: Record<string, unknown>;
  /** Pass -D (default true: debug logs are what a failing test needs). */
  debug?: boolean;
  env?: Record<string, string | undefined>;
  /** How long to wait for /_ping after starting the daemon (default 30 s). */
  readyTimeoutMs?: number;
  /** At teardown, remove all containers through the API before stopping the daemon (default true). */
  cleanupViaApi?: boolean;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function dockerBinary(): string {
  if (process.env.BERTH_TEST_DOCKER) return process.env.BERTH_TEST_DOCKER;
  return existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';
}

/**
 * A throwaway host for one test file: its own netns `berth-t-<run>-<pid>-<n>`, mount and pid namespaces, state
 * dir, and a berthd inside them on a unix socket in that dir. `await using sb = await Sandbox.create()`; teardown
 * removes everything, also when the test failed.
 */
export class Sandbox implements AsyncDisposable {
  readonly name: string;
  readonly dir: string;
  readonly socket: string;
  readonly host: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidfile: string;
  readonly configFile: string;
  readonly dockerConfig: string;
  readonly daemonLog: string;
  readonly opts: SandboxOptions;
  #holder: NsHolder | undefined;
  #launcher: ChildProcess | undefined;
  #launcherExit: Promise<DaemonExit> | undefined;
  #daemonPid: number | undefined;
  #closed = false;
  /** Long-running clients started by the test (logs -f, pty sessions): killed at teardown. */
  #background: { kill(): void }[] = [];

  private constructor(opts: SandboxOptions) {
    this.opts = opts;
    this.name = uniqueName(opts.label);
    this.dir = mkdtempSync(`/tmp/${this.name}-`);
    this.socket = join(this.dir, 'berth.sock');
    this.host = `unix://${this.socket}`;
    this.dataRoot = join(this.dir, 'data');
    this.execRoot = join(this.dir, 'exec');
    this.pidfile = join(this.dir, 'berthd.pid');
    this.configFile = join(this.dir, 'daemon.json');
    this.dockerConfig = join(this.dir, 'docker-config');
    this.daemonLog = join(this.dir, 'berthd.log');
  }

  static async create(opts: SandboxOptions = {}): Promise<Sandbox> {
    if (process.getuid?.() !== 0) throw new Error('Sandbox needs root (network and mount namespaces)');
    testRunId();
    const sb = new Sandbox(opts);
    try {
      for (const d of [sb.dataRoot, sb.execRoot, sb.dockerConfig]) mkdirSync(d, { recursive: true });
      writeFileSync(join(sb.dockerConfig, 'config.json'), '{}\n');
      writeFileSync(sb.configFile, `${JSON.stringify(opts.daemonConfig ?? {}, null, 2)}\n`);
      sb.#holder = await createHolder(sb.name, sb.dir);
      if (opts.startDaemon !== false) await sb.start();
      return sb;
    } catch (err) {
      try {
        await sb.close();
      } catch (cleanupErr) {
        throw new AggregateError([err, cleanupErr], `sandbox ${sb.name} failed to start, and cleanup failed too`);
      }
      throw err;
    }
  }

  get netns(): string {
    return this.#holder!.netns;
  }

  /** The daemon's pid (root pid namespace), while it runs. */
  get daemonPid(): number | undefined {
    return this.#daemonPid !== undefined && isAlive(this.#daemonPid) ? this.#daemonPid : undefined;
  }

  /** Pid 1 of the sandbox's pid namespace. */
  get initPid(): number {
    return this.#holder!.initPid;
  }

  /** The process to `nsenter -t` for the sandbox's network, mount and pid namespaces. */
  get nsPid(): number {
    return this.#holder!.nsPid;
  }

  // ---- the daemon ----

  async start(): Promise<void> {
    if (this.daemonPid) throw new Error('berthd is already running in this sandbox');
    const h = this.#holder!;
    const cmd = this.opts.daemonCommand ?? (process.env.BERTH_TEST_DAEMON ? [process.env.BERTH_TEST_DAEMON] : [join(REPO_ROOT, 'bin/berthd')]);
    const flags = ['-H', this.host, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--pidfile', this.pidfile, '--config-file', this.configFile];
    if (this.opts.debug !== false) flags.push('-D');
    const argv = [...nsenterArgs(h, REPO_ROOT), ...cmd, ...flags, ...(this.opts.daemonArgs ?? [])];
    writeFileSync(this.daemonLog, `--- ${new Date().toISOString()} sandbox: starting ${argv.join(' ')}\n`, { flag: 'a' });
    const log = openSync(this.daemonLog, 'a');
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log], env: mergeEnv(this.opts.env), detached: true });
    closeSync(log);
    this.#launcher = child;
    this.#launcherExit = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
    let exited = false;
    void this.#launcherExit.then(() => {
      exited = true;
    });
    // nsenter forks into the pid namespace: the daemon is its only child
    const pid = await waitFor(() => exited || childrenOf(child.pid!)[0], 5_000, 10);
    if (typeof pid !== 'number') {
      throw new Error(`berthd did not start (${exited ? 'launcher exited' : 'no child process'})\n${this.daemonLogTail()}`);
    }
    this.#daemonPid = pid;
    const timeout = this.opts.readyTimeoutMs ?? 30_000;
    const ready = await waitFor(async () => exited || (await ping(this.socket, 1000)), timeout, 50);
    if (ready !== true || exited) {
      const why = exited ? `berthd exited (${JSON.stringify(await this.#launcherExit)})` : `berthd did not answer GET /_ping within ${timeout} ms`;
      if (!exited) await this.kill9();
      throw new Error(`${why}\n${this.daemonLogTail()}`);
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`. Resolves with how the daemon ended. */
  async stop(timeoutMs = 20_000): Promise<DaemonExit & { graceful: boolean }> {
    const pid = this.daemonPid;
    if (!pid || !this.#launcherExit) return { code: null, signal: null, graceful: true };
    signalPid(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((res) => {
      timer = setTimeout(() => res(undefined), timeoutMs);
    });
    const r = await Promise.race([this.#launcherExit, timedOut]);
    clearTimeout(timer);
    if (r) return { ...r, graceful: true };
    signalPid(pid, 'SIGKILL');
    return { ...(await this.#launcherExit), graceful: false };
  }

  /** SIGKILL the daemon (its containers keep running, as on a host). */
  async kill9(): Promise<DaemonExit> {
    const pid = this.daemonPid;
    if (!pid || !this.#launcherExit) return { code: null, signal: null };
    signalPid(pid, 'SIGKILL');
    return this.#launcherExit;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async ping(): Promise<boolean> {
    return ping(this.socket);
  }

  request(method: string, path: string, opts?: Parameters<typeof unixRequest>[3]) {
    return unixRequest(this.socket, method, path, opts);
  }

  daemonLogText(): string {
    try {
      return readFileSync(this.daemonLog, 'utf8');
    } catch {
      return '';
    }
  }

  daemonLogTail(lines = 60): string {
    const all = this.daemonLogText().split('\n');
    return `--- berthd log (${this.daemonLog}), last ${lines} lines ---\n${all.slice(-lines - 1).join('\n')}`;
  }

  // ---- clients ----

  #clientEnv(extra?: Record<string, string | undefined>): Record<string, string | undefined> {
    return { DOCKER_CONFIG: this.dockerConfig, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_CLI_HINTS: 'false', ...extra };
  }

  /** Runs the stock docker CLI against this sandbox's daemon. */
  docker(args: string[], opts: CmdOptions = {}): Promise<CmdResult> {
    return runCmd([dockerBinary(), '-H', this.host, ...args], { ...opts, env: this.#clientEnv(opts.env) });
  }

  /** Runs berth's own CLI against this sandbox's daemon (BERTH_HOST and DOCKER_HOST point at it). */
  berth(args: string[], opts: CmdOptions = {}): Promise<CmdResult> {
    const env = { DOCKER_HOST: this.host, BERTH_HOST: this.host, BERTH_CONFIG: join(this.dir, 'berth-config'), BERTH_CONTEXT: undefined, ...opts.env };
    return runCmd([join(REPO_ROOT, 'bin/berth'), ...args], { ...opts, env: this.#clientEnv(env) });
  }

  /**
   * Runs a shell script on the host with DOCKER_HOST pointing at the sandbox, for pipelines such as
   * `docker save bb | docker load` (binary data never passes through the test).
   */
  sh(script: string, opts: CmdOptions = {}): Promise<CmdResult> {
    return runCmd(['sh', '-c', script], { ...opts, env: this.#clientEnv({ DOCKER_HOST: this.host, BERTH_HOST: this.host, ...opts.env }) });
  }

  /** Runs a command inside the sandbox's namespaces (its netns, mount and pid namespaces). */
  exec(argv: string[], opts: CmdOptions = {}): Promise<CmdResult> {
    return runCmd([...nsenterArgs(this.#holder!), ...argv], opts);
  }

  /** Starts a long-running docker command (`logs -f`, `events`); it is killed at teardown if still running. */
  dockerSpawn(args: string[], opts: CmdOptions = {}): RunningCmd {
    const r = startCmd([dockerBinary(), '-H', this.host, ...args], { ...opts, env: this.#clientEnv(opts.env) });
    this.#background.push(r);
    return r;
  }

  /** The docker CLI on a pseudo-terminal (`run -it`, `exec -it`, `attach`). */
  dockerPty(args: string[], opts: PtyOptions = {}): PtySession {
    const s = new PtySession([dockerBinary(), '-H', this.host, ...args], { ...opts, env: this.#clientEnv(opts.env) });
    this.#background.push(s);
    return s;
  }

  /** Runs docker and returns its trimmed stdout; fails the test with the whole story when it exits non-zero. */
  async dockerOk(args: string[], opts: CmdOptions = {}): Promise<string> {
    const r = await this.docker(args, opts);
    if (r.code !== 0) assert.fail(this.explain(r, 'expected exit code 0'));
    return r.stdout.trim();
  }

  /** An assertion message: what ran, what it printed, and the end of the daemon's log. */
  explain(r: CmdResult, why = ''): string {
    return `${why ? `${why}\n` : ''}${describeCmd(r)}\n${clip(this.daemonLogTail(40), 8000)}`;
  }

  /** Imports a busybox image (see busybox-image.ts) as `tag`; returns the image id the daemon printed. */
  async importBusybox(tag = 'bb'): Promise<string> {
    const rootfs = mkdtempSync(join(this.dir, 'bb-rootfs-'));
    const tar = await busyboxTar(rootfs);
    rmSync(rootfs, { recursive: true, force: true });
    return this.dockerOk(['import', '-c', 'CMD ["sh"]', '-m', 'busybox for tests', '-', tag], { input: tar, timeoutMs: 120_000 });
  }

  /** Mount points under the sandbox dir as the daemon sees them (its private mount namespace). */
  mountsInside(): string[] {
    const h = this.#holder;
    if (!h || !holderAlive(h)) return [];
    return parseMountinfo(readFileSync(`/proc/${h.nsPid}/mountinfo`, 'utf8'))
      .map((m) => m.mountPoint)
      .filter((p) => p === this.dir || p.startsWith(`${this.dir}/`));
  }

  /** Pids (root pid namespace) of every process in the sandbox (daemon, monitors, containers), not its own helpers. */
  processes(): number[] {
    const h = this.#holder;
    return h && holderAlive(h) ? holderPids(h).filter((p) => p !== h.nsPid && p !== h.initPid) : [];
  }

  // ---- teardown ----

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Removes containers through the API (when the daemon runs), stops the daemon, kills everything left in the
   * namespaces, removes the cgroups of what was killed, deletes the netns, checks that nothing is mounted under
   * the dir in the root mount namespace, keeps the daemon log (BERTH_TEST_LOG_DIR) and removes the dir.
   * Throws when it had to clean something by force that should not have been there.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const problems: string[] = [];
    for (const b of this.#background) b.kill();
    if (this.daemonPid && this.opts.cleanupViaApi !== false) await this.#removeAllContainers().catch(() => {});
    if (this.daemonPid) {
      const r = await this.stop(15_000);
      if (!r.graceful) problems.push('berthd did not exit within 15 s of SIGTERM');
    }
    if (this.#launcher?.pid && isAlive(this.#launcher.pid)) killGroup(this.#launcher.pid, 'SIGKILL');
    const h = this.#holder;
    if (h) {
      const cgroups = cgroupsOfPids(holderPids(h));
      problems.push(...(await destroyHolder(h)));
      removeCgroups(cgroups);
    }
    const rootMounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
      .map((m) => m.mountPoint)
      .filter((p) => p === this.dir || p.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of rootMounts) {
      problems.push(`${m} was mounted in the root mount namespace`);
      await runCmd(['umount', '-l', m]);
    }
    this.#keepLog();
    const stillMounted = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).some((m) => m.mountPoint.startsWith(`${this.dir}/`));
    if (stillMounted) problems.push(`left ${this.dir}: still mounted under it`);
    else rmSync(this.dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`sandbox ${this.name} teardown:\n  ${problems.join('\n  ')}`);
  }

  async #removeAllContainers(): Promise<void> {
    const deadline = Date.now() + 20_000;
    const list = await this.request('GET', '/containers/json?all=1', { timeoutMs: 5000 });
    if (list.status !== 200) return;
    for (const c of JSON.parse(list.body) as { Id: string }[]) {
      if (Date.now() > deadline) return;
      await this.request('DELETE', `/containers/${c.Id}?force=1&v=1`, { timeoutMs: 10_000 }).catch(() => {});
    }
  }

  #keepLog(): void {
    const dest = process.env.BERTH_TEST_LOG_DIR ?? join('/tmp', 'berth-logs', testRunId());
    try {
      mkdirSync(dest, { recursive: true });
      if (existsSync(this.daemonLog)) copyFileSync(this.daemonLog, join(dest, `${this.name}.berthd.log`));
    } catch {
      // logs are a convenience
    }
  }
}
