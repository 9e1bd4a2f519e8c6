import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BerthError, errorMessage } from '../common/errors.ts';
import { type LogLevel, StreamLogger } from '../common/log.ts';
import { type DaemonConfig, mergeConfig, parseArgs, parseConfigFile, parseHost, RELOADABLE } from '../domain/config/daemon-config.ts';
import { ApiServer, type Listener } from '../api/engine/server.ts';
import { ENGINE_VERSION } from '../api/engine/version.ts';
import { BERTHD_USAGE } from './help.ts';

async function loadConfig(argv: string[]): Promise<DaemonConfig | undefined> {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(BERTHD_USAGE);
    return undefined;
  }
  if (args.version) {
    process.stdout.write(`Berth version ${ENGINE_VERSION}\n`);
    return undefined;
  }
  let file: Partial<DaemonConfig> = {};
  try {
    file = parseConfigFile(await readFile(args.configFile, 'utf8'), args.configFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (args.configFileExplicit) throw new BerthError(`unable to configure the Docker daemon with file ${args.configFile}: open ${args.configFile}: no such file or directory`);
  }
  const cfg = mergeConfig(args.flags, file, args.configFile);
  if (args.validate) {
    process.stdout.write('configuration OK\n');
    return undefined;
  }
  return cfg;
}

async function readConfigForReload(argv: string[]): Promise<DaemonConfig> {
  const args = parseArgs(argv);
  let file: Partial<DaemonConfig> = {};
  try {
    file = parseConfigFile(await readFile(args.configFile, 'utf8'), args.configFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return mergeConfig(args.flags, file, args.configFile);
}

export function listenersOf(cfg: DaemonConfig, log: StreamLogger): Listener[] {
  const tls = cfg.tls || cfg.tlsverify;
  const hosts = cfg.hosts.length ? cfg.hosts : ['unix:///run/berth/berth.sock'];
  return hosts.map((h) => {
    const address = parseHost(h, tls);
    if (address.startsWith('tcp://') && !tls) {
      log.warn('[!] DON\'T BIND ON ANY IP ADDRESS WITHOUT setting --tlsverify IF YOU DON\'T KNOW WHAT YOU\'RE DOING [!]');
      log.warn(`Binding to ${address} without TLS: anyone who can reach this address has root on this host. Use --tlsverify with --tlscacert, --tlscert and --tlskey.`);
    }
    return { address };
  });
}

async function tlsOptions(cfg: DaemonConfig) {
  if (!cfg.tls && !cfg.tlsverify) return undefined;
  if (!cfg.tlscert || !cfg.tlskey) throw new BerthError('could not load X509 key pair: --tlscert and --tlskey are required with --tls/--tlsverify');
  const [cert, key] = await Promise.all([readFile(cfg.tlscert), readFile(cfg.tlskey)]);
  let ca: Buffer | undefined;
  if (cfg.tlsverify) {
    if (!cfg.tlscacert) throw new BerthError('--tlsverify needs --tlscacert to verify clients');
    ca = await readFile(cfg.tlscacert);
  }
  return { cert, key, ca, verify: cfg.tlsverify };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let cfg: DaemonConfig | undefined;
  try {
    cfg = await loadConfig(argv);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    process.exit(1);
  }
  if (!cfg) return;
  const log = new StreamLogger(cfg.debug ? 'debug' : (cfg['log-level'] as LogLevel));
  if (process.getuid?.() !== 0) {
    log.error('berthd needs to be started with root privileges');
    process.exit(1);
  }
  await mkdir(cfg['data-root'], { recursive: true, mode: 0o710 });
  await mkdir(cfg['exec-root'], { recursive: true, mode: 0o700 });
  await mkdir(dirname(cfg.pidfile), { recursive: true });
  try {
    const old = Number((await readFile(cfg.pidfile, 'utf8')).trim());
    if (old && old !== process.pid) {
      try {
        process.kill(old, 0);
        log.error(`pid file found, ensure berthd is not running or delete ${cfg.pidfile}`);
        process.exit(1);
      } catch {
        // stale pid file
      }
    }
  } catch {
    // no pid file
  }
  await writeFile(cfg.pidfile, `${process.pid}`);

  const { buildEngine } = await import('./builtins.ts');
  let engine: Awaited<ReturnType<typeof buildEngine>>;
  try {
    engine = await buildEngine(cfg, log);
  } catch (err) {
    // dockerd's wording: `--userns-remap` with an unknown user, an unreadable seccomp profile, …
    log.error(`failed to start daemon: ${errorMessage(err)}`);
    await rm(cfg.pidfile, { force: true });
    process.exit(1);
  }
  const server = new ApiServer(engine.router, log);
  const tls = await tlsOptions(cfg);
  try {
    for (const l of listenersOf(cfg, log)) {
      const addr = await server.listen({ ...l, tls: l.address.startsWith('tcp://') ? tls : undefined });
      log.info('API listen on', { address: addr });
    }
  } catch (err) {
    log.error(`failed to listen: ${errorMessage(err)}`);
    await engine.close();
    await rm(cfg.pidfile, { force: true });
    process.exit(1);
  }
  log.info('Daemon has completed initialization', { version: ENGINE_VERSION });

  process.on('SIGHUP', () => {
    void (async () => {
      try {
        const next = await readConfigForReload(argv);
        const changed: string[] = [];
        for (const k of RELOADABLE) {
          if (JSON.stringify(next[k]) !== JSON.stringify(cfg[k])) {
            (cfg as unknown as Record<string, unknown>)[k] = next[k];
            changed.push(k);
          }
        }
        log.level = cfg.debug ? 'debug' : (cfg['log-level'] as LogLevel);
        engine.reload(cfg);
        log.info('Reloaded configuration', { changed: changed.join(',') || 'nothing' });
        engine.events.emit({ type: 'daemon', action: 'reload', id: engine.daemonId, attributes: { name: engine.name } });
      } catch (err) {
        log.error(`Error reconfiguring the daemon: ${errorMessage(err)}`);
      }
    })();
  });

  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Processing signal '${sig}'`);
    void (async () => {
      await server.close();
      await engine.close();
      await rm(cfg.pidfile, { force: true });
      log.info('Daemon shutdown complete');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('terminated'));
  process.on('SIGINT', () => stop('interrupt'));
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception', { error: errorMessage(err), stack: err.stack ?? '' });
  });
  process.on('unhandledRejection', (err) => {
    log.error('unhandled rejection', { error: errorMessage(err) });
  });
}

await main();
