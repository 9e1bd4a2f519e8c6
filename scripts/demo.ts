import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CmdResult } from '../test/support/proc.ts';
import { sleep } from '../test/support/proc.ts';
import { Sandbox } from '../test/support/sandbox.ts';

/**
 * berth in two minutes: starts berthd in a throwaway network + mount namespace, builds a busybox image from
 * Debian's busybox-static, runs a web server with a published port and a bind mount, fetches its page, shows
 * ps / port / logs / inspect, and removes everything again. Run through scripts/demo.sh (which installs what it
 * needs first). The stock docker CLI talks to berthd; berth's own CLI where it is there.
 */
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s: string) => console.log(`\n${bold(`# ${s}`)}`);

function show(cmd: string, r: CmdResult): CmdResult {
  console.log(bold(`$ ${cmd}`));
  const out = (r.stdout + r.stderr).replace(/\n$/, '');
  if (out) console.log(out);
  if (r.code !== 0) console.log(`(exit code ${r.code})`);
  return r;
}

async function main(): Promise<number> {
  say('starting berthd in a throwaway network namespace (its own mount and pid namespaces too)');
  const sb = await Sandbox.create({ label: 'demo', debug: false });
  let failed = false;
  const onSignal = () => {
    console.log('\ninterrupted: cleaning up');
    void sb.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const docker = async (args: string[], opts: { input?: Buffer; must?: boolean } = {}) => {
    const r = show(`docker ${args.map((a) => (/[\s"]/.test(a) ? `'${a}'` : a)).join(' ')}`, await sb.docker(args, { input: opts.input, timeoutMs: 120_000 }));
    if (r.code !== 0 && opts.must !== false) {
      failed = true;
      throw new Error(`docker ${args[0]} failed`);
    }
    return r;
  };
  try {
    console.log(`netns ${sb.netns}, socket ${sb.socket}`);
    console.log(`export DOCKER_HOST=${sb.host}   # what you would type to use it by hand`);
    await docker(['version', '--format', 'client {{.Client.Version}} / server {{.Server.Version}} (API {{.Server.APIVersion}})']);

    say('building a busybox image from /bin/busybox and importing it');
    console.log(bold(`$ tar -C <rootfs with /bin/busybox and applet links> -c . | docker import -c 'CMD ["sh"]' - bb`));
    console.log(await sb.importBusybox('bb'));
    await docker(['images']);
    await docker(['run', '--rm', 'bb', 'echo', 'hello from a berth container']);

    say('a web server: published port 8080 → 80, page from a bind-mounted directory');
    const www = join(sb.dir, 'www');
    mkdirSync(www, { recursive: true });
    writeFileSync(join(www, 'index.html'), '<h1>Hello from berth</h1>\n');
    await docker(['run', '-d', '--name', 'web', '-p', '8080:80', '-v', `${www}:/www`, 'bb', 'httpd', '-f', '-v', '-p', '80', '-h', '/www']);

    say('fetching http://127.0.0.1:8080/ from inside the namespace');
    let page: CmdResult | undefined;
    for (let i = 0; i < 25; i++) {
      page = await sb.exec(['timeout', '5', 'busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/']);
      if (page.code === 0) break;
      await sleep(200);
    }
    show('wget -qO- http://127.0.0.1:8080/', page!);
    if (page!.code !== 0) failed = true;

    say('looking at it');
    await docker(['ps']);
    await docker(['port', 'web']);
    await docker(['logs', 'web']);
    await docker(['inspect', '--format', 'name={{.Name}} state={{.State.Status}} pid={{.State.Pid}} ip={{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'web']);
    await docker(['inspect', '--format', '{{json .Mounts}}', 'web']);
    await docker(['exec', 'web', 'ls', '-l', '/www']);
    const berth = await sb.berth(['ps']);
    if (berth.code === 0) show('berth ps', berth);
    else console.log(`(berth ps is not there yet: exit code ${berth.code})`);

    say('stopping and removing');
    await docker(['stop', '-t', '2', 'web']);
    await docker(['rm', 'web']);
    await docker(['rmi', 'bb']);
  } catch (err) {
    failed = true;
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    console.error(sb.daemonLogTail(30));
  } finally {
    say('tearing down: daemon, containers, mounts, netns, state dir');
    await sb.close();
    console.log('done: nothing left behind');
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
