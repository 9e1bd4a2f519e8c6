/**
 * The command lines of the CLI golden suite (cli-golden.itest.ts): each runs once with the stock docker CLI and
 * once with berth against the same berthd, and the two runs must print the same (after normalization).
 *
 * A case is a few steps run by the CLI under test, after `setup` (run with the docker CLI for each variant) made
 * the state that variant needs. `@` in any word stands for the variant (`d` for docker, `b` for berth), so each
 * run works on its own objects (`g@-r1` → `gd-r1` / `gb-r1`); normalization maps the names back. Read-only steps
 * work on the shared fixtures made once (`fx-*`), so both runs see the same state.
 *
 * `gap` marks a case that is left out because berthd answers both CLIs wrongly: the text names the gap.
 */

export interface Step {
  /** Arguments after the program name. */
  args?: string[];
  /** Instead of args: a shell line where `$CLI` is the CLI under test (for pipes between two CLI calls). */
  sh?: string;
  /** Standard input. */
  input?: string;
  /** Relative times/sizes in columns: collapse runs of spaces so column widths do not matter. */
  loose?: boolean;
  /** Container IP addresses differ between the two runs. */
  ips?: boolean;
  timeoutMs?: number;
}

export interface GoldenCase {
  name: string;
  /** docker CLI command lines that prepare this variant's objects. */
  setup?: string[][];
  steps: Step[];
  /** docker CLI command lines run after both variants (errors ignored). */
  cleanup?: string[][];
  /** berthd answers both CLIs wrongly here: the case is skipped, and this says why. */
  gap?: string;
}

/** Splits a command line like a POSIX shell would (single and double quotes, backslash escapes outside quotes). */
export function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in ${line}`);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) j++;
        cur += line[j];
      }
      if (j >= line.length) throw new Error(`unclosed " in ${line}`);
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** One step from a command line. */
function s(line: string, more: Omit<Step, 'args'> = {}): Step {
  return { args: words(line), ...more };
}

/** A read-only case of one command line on the shared fixtures. */
function ro(line: string, more: Omit<Step, 'args'> = {}): GoldenCase {
  return { name: line, steps: [s(line, more)] };
}

function cmds(...lines: string[]): string[][] {
  return lines.map(words);
}

/**
 * Made once before the cases, with the docker CLI. `fx-web` runs, `fx-exit` exited 3 with a line on each
 * stream, `fx-new` was only created, `fx-diff` changed its filesystem.
 */
export const FIXTURES: { args: string[]; code: number }[] = [
  ['tag bb bb:v2', 0],
  ['run -d --name fx-web -l app=web -l tier=front -p 127.0.0.1:8080:80 -p 9090:90/udp -e FOO=bar bb sleep 100000', 0],
  ["run --name fx-exit -l app=batch bb sh -c 'echo out-line; echo err-line >&2; exit 3'", 3],
  ['create --name fx-new -l app=later bb echo hi', 0],
  ["run --name fx-diff bb sh -c 'mkdir /newdir && touch /newdir/f && rm /bin/vi; echo x > /etc/motd'", 0],
  ['network create --subnet 198.51.100.0/24 --gateway 198.51.100.1 --label env=test fx-net', 0],
  ['volume create --label env=test fx-vol', 0],
  ['commit -m fixture -c "LABEL img=fx" fx-diff fximg:1', 0],
].map(([line, code]) => ({ args: words(line as string), code: code as number }));

const RO_CONTAINERS: GoldenCase[] = [
  ro('ps'),
  ro('ps -a --filter name=fx-', { loose: true }),
  ro('ps -aq --filter name=fx-'),
  ro('ps -a --no-trunc --filter name=fx-', { loose: true }),
  ro('ps -a --filter label=app=web --format {{.Names}}'),
  ro('ps -a --filter status=exited --filter name=fx- --format "{{.Names}} {{.Status}}"', { loose: true }),
  ro('ps -a --filter exited=3 --format {{.Names}}'),
  ro('ps -a --filter status=created --format "{{.Names}} {{.Command}} {{.Image}}"'),
  ro('ps --filter name=fx-web --format "table {{.Names}}\\t{{.Image}}\\t{{.Ports}}"'),
  ro('ps -a --filter name=fx-web --format "{{json .Labels}} {{.Label \\"tier\\"}}"'),
  ro('ps --filter name=fx-web --format "{{upper .Names}} {{len .Names}} {{join (split .Names \\"-\\") \\"+\\"}} {{title .Image}} {{lower .State}}"'),
  ro('ps --filter name=fx-web --format "{{range split .Labels \\",\\"}}[{{.}}]{{end}}"'),
  ro('ps --filter name=fx-web --format "{{if eq .State \\"running\\"}}up{{else}}down{{end}} {{pad .Names 1 2}}|{{truncate .Names 4}}|{{println .Image}}"'),
  ro('ps -s --filter name=fx-web --format "{{.Names}} {{.Size}}"'),
  ro('ps -a -n 2 --filter name=fx- --format {{.Names}}'),
  ro('ps -l --filter name=fx- --format {{.Names}}'),
  ro('ps --format json --filter name=fx-web', { loose: true }),
  ro('container ls -a --filter name=fx-exit --format "{{.Names}}\\t{{.Status}}\\t{{.Networks}}"', { loose: true }),
  ro('container list --filter label=app -q'),
  ro('ps --filter nosuch=1'),
  ro('ps --format {{.Nope}}'),
  ro('ps --format "{{if}}"'),
  ro('ps --format "{{index .Names 3}}" --filter name=fx-web'),
  ro('logs fx-exit'),
  ro('logs --tail 1 fx-exit'),
  ro('logs -t fx-exit'),
  ro('logs --since 2000-01-01 --until 2100-01-01 fx-exit'),
  ro('logs -f fx-exit'),
  ro('container logs --details fx-exit'),
  ro('inspect -f "{{.State.Status}} {{.State.ExitCode}} {{.Name}} {{.RestartCount}}" fx-exit'),
  ro('inspect --format "{{json .Config.Labels}}" fx-web'),
  ro('inspect -f "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}" fx-web'),
  ro('inspect -f "{{index .Config.Env 0}} {{.Config.Cmd}} {{.HostConfig.NetworkMode}}" fx-web'),
  ro('inspect -f "{{json .NetworkSettings.Ports}}" fx-web'),
  ro('container inspect fx-new'),
  ro('inspect --type image -f "{{.Config.Cmd}} {{.Comment}}" bb'),
  ro('inspect --type network -f "{{.Name}} {{.Driver}} {{.Labels}}" fx-net'),
  ro('inspect --type volume -f "{{.Name}} {{.Driver}} {{.Labels}}" fx-vol'),
  ro('inspect -f "{{.Name}}" fx-web fx-net fx-vol'),
  ro('inspect -f "{{.Name}}" nosuch fx-web'),
  ro('inspect -f "{{.Nope}}" fx-web'),
  ro('inspect --type container fx-net'),
  ro('port fx-web'),
  ro('port fx-web 80/tcp'),
  ro('port fx-web 90/udp'),
  ro('port fx-web 81'),
  ro('port fx-exit'),
  ro('top fx-web'),
  ro('top fx-web -o comm'),
  ro('diff fx-diff'),
  ro('container diff fx-new'),
  ro('wait fx-exit'),
];

const RO_IMAGES: GoldenCase[] = [
  ro('images'),
  ro('images -a'),
  ro('images bb'),
  ro('images --filter reference=bb:v2 --format {{.Repository}}:{{.Tag}}'),
  ro('images --filter label=img=fx --format "{{.Repository}} {{.Tag}}"'),
  ro('images --filter before=fximg:1 -q'),
  ro('images --filter since=bb:latest --format {{.Repository}}'),
  ro('images --no-trunc --format "{{.ID}} {{.Size}}" bb'),
  ro('images -q bb'),
  ro('images --format json bb', { loose: true }),
  ro('images --filter dangling=true'),
  ro('images --digests bb'),
  ro('image ls --format "table {{.Repository}}\\t{{.Tag}}\\t{{.Size}}"'),
  ro('image inspect bb'),
  ro('image inspect -f "{{.Os}}/{{.Architecture}} {{.Config.Cmd}} {{json .RepoTags}}" bb'),
  ro('history bb'),
  ro('history --no-trunc --format "{{.CreatedBy}}|{{.Comment}}|{{.Size}}" bb'),
  ro('history -q bb'),
  ro('image inspect nosuch'),
  ro('images a b'),
];

const RO_NETWORKS_VOLUMES: GoldenCase[] = [
  ro('network ls'),
  ro('network ls --filter name=fx --format "{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}}"'),
  ro('network ls -q --filter driver=bridge --filter name=fx'),
  ro('network ls --no-trunc --filter label=env=test'),
  ro('network inspect fx-net'),
  ro('network inspect -f "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}" fx-net'),
  ro('network inspect bridge -f "{{json .Options}}"'),
  ro('network inspect nosuch'),
  ro('volume ls'),
  ro('volume ls -q --filter label=env=test'),
  ro('volume inspect fx-vol'),
  ro('volume inspect -f "{{.Mountpoint}} {{.Scope}}" fx-vol'),
  ro('volume ls --format "{{.Name}}: {{.Driver}}" --filter name=fx'),
];

const RO_SYSTEM: GoldenCase[] = [
  ro('info --format "{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}} {{.Images}} {{.Driver}} {{.OSType}}"'),
  ro('info --format "{{json .Plugins}}"'),
  ro('info -f "{{.ServerVersion}} {{.NCPU}} {{.LoggingDriver}} {{.CgroupDriver}} {{.HTTPProxy}}"'),
  ro('version --format "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}}"'),
  ro('version --format "{{json .Server}}"'),
  ro('version -f "{{.Client.APIVersion}} {{.Server.Platform.Name}}"'),
  ro('version -f "{{.Server.Nosuch}}"'),
  // the events window of the fixtures ($T0/$T1 are replaced with the times around FIXTURES)
  ro('events --since $T0 --until $T1'),
  ro('events --since $T0 --until $T1 --filter type=network --format "{{.Action}} {{.Actor.Attributes.name}}"'),
  ro('events --since $T0 --until $T1 --filter container=fx-exit --format "{{json .}}"'),
  ro('system events --since $T0 --until $T1 --filter event=create --format "{{.Status}} {{.Actor.Attributes.name}}"'),
  ro('events --since $T0 --until $T1 --filter label=app=web --format "{{.Type}} {{.Action}} {{.Actor}}"'),
];

const ERRORS: GoldenCase[] = [
  ro('ps --foo'),
  ro('run'),
  ro('run --rm --nosuchflag bb'),
  ro('run --rm --memory 1x bb true'),
  ro('run --rm -p abc bb true'),
  ro('run --rm --restart always bb true'),
  ro('run --rm --network nosuch bb true'),
  ro('run --rm bb nosuchcmd'),
  ro('run --rm bb /etc'),
  ro('create --name fx-web bb'),
  ro('rm'),
  ro('rm nosuch'),
  ro('rm -f nosuch'),
  ro('start nosuch'),
  ro('stop nosuch'),
  ro('rename fx-web fx-exit'),
  ro('network create fx-net'),
  ro('nosuchcmd'),
  ro('container nosuch'),
  ro('logs'),
  ro('exec'),
  ro('exec fx-exit true'),
  ro('exec nosuch true'),
  ro('network rm bridge'),
  ro('tag bb BAD:x'),
  ro('rmi nosuch'),
  ro('kill -s FOO fx-web'),
  ro('pause fx-exit'),
  ro('unpause fx-web'),
  ro('top fx-exit'),
  ro('wait'),
  ro('version extra'),
  ro('port'),
  ro('network connect fx-net nosuch'),
  ro('volume inspect nosuch'),
  ro('volume rm nosuch'),
  ro('inspect --type nosuch fx-web'),
  ro('-H'),
  ro('--nosuch ps'),
];

const CONTAINER_LIFECYCLE: GoldenCase[] = [
  { name: 'run --rm echo', steps: [s('run --rm bb echo hello')] },
  { name: 'run: both streams and the exit code', steps: [s("run --rm bb sh -c 'echo o; echo e >&2; exit 7'")] },
  { name: 'run with env, workdir, user, entrypoint', steps: [s("run --rm -e X=y -w /tmp -u 1000:1000 --entrypoint sh bb -c 'echo $X $(pwd) $(id -u)'")] },
  { name: 'run -i with piped stdin', steps: [s('run --rm -i bb cat', { input: 'piped line\n' }), s("run --rm -i bb sh -c 'wc -l; exit 2'", { input: 'a\nb\n' })] },
  { name: 'run -a stderr', steps: [s("run --rm -a stderr bb sh -c 'echo o; echo e >&2'")] },
  { name: 'run --hostname and --add-host', steps: [s('run --rm --hostname hh --add-host h2:192.0.2.9 bb sh -c "hostname; grep h2 /etc/hosts"')] },
  { name: 'run --network, --label, --name', steps: [s('run --rm --network fx-net -l k=v --name g@-rn bb sh -c "echo net"')] },
  {
    name: 'run -d, ps, stop, inspect, rm',
    steps: [
      s('run -d --name g@-r1 bb sleep 1000'),
      s('ps --filter name=g@-r1 --format "{{.Names}} {{.Command}} {{.State}}"'),
      s('stop -t 0 g@-r1'),
      s('inspect -f "{{.State.Status}} {{.State.ExitCode}}" g@-r1'),
      s('rm g@-r1'),
      s('ps -a --filter name=g@-r1 -q'),
    ],
  },
  {
    name: 'create, start -a, rm',
    steps: [s("create --name g@-c1 bb sh -c 'echo created-run; exit 6'"), s('start -a g@-c1'), s('ps -a --filter name=g@-c1 --format "{{.Status}}"', { loose: true }), s('rm g@-c1')],
  },
  {
    name: 'start then wait',
    setup: cmds("create --name g@-c2 bb sh -c 'exit 5'"),
    steps: [s('start g@-c2'), s('wait g@-c2'), s('start g@-c2 nosuch')],
    cleanup: cmds('rm -f gd-c2 gb-c2'),
  },
  {
    name: 'restart',
    setup: cmds('run -d --name g@-rs bb sleep 1000'),
    steps: [s('restart -t 0 g@-rs'), s('inspect -f "{{.State.Running}} {{.State.Status}}" g@-rs'), s('container restart nosuch g@-rs')],
    cleanup: cmds('rm -f gd-rs gb-rs'),
  },
  {
    name: 'kill',
    setup: cmds('run -d --name g@-k bb sleep 1000'),
    steps: [s('kill -s KILL g@-k'), s('wait g@-k'), s('kill g@-k'), s('inspect -f "{{.State.ExitCode}} {{.State.Status}}" g@-k')],
    cleanup: cmds('rm -f gd-k gb-k'),
  },
  {
    name: 'pause and unpause',
    setup: cmds('run -d --name g@-p bb sleep 1000'),
    steps: [s('pause g@-p'), s('ps --filter name=g@-p --format "{{.State}}"'), s('pause g@-p'), s('unpause g@-p'), s('inspect -f "{{.State.Paused}}" g@-p')],
    cleanup: cmds('rm -f gd-p gb-p'),
  },
  {
    name: 'rename',
    setup: cmds('run -d --name g@-old bb sleep 1000'),
    steps: [s('rename g@-old g@-new'), s('ps --filter name=g@- --format "{{.Names}}"'), s('rename g@-new g@-new')],
    cleanup: cmds('rm -f gd-new gb-new gd-old gb-old'),
  },
  {
    name: 'rm -f, several names, partial failure',
    setup: cmds('run -d --name g@-rm1 bb sleep 1000', 'create --name g@-rm2 bb true', 'create --name g@-rm3 bb true'),
    steps: [s('rm g@-rm1'), s('rm -f g@-rm1'), s('rm g@-rm2 nosuch g@-rm3'), s('container remove -v nosuch')],
    cleanup: cmds('rm -f gd-rm1 gb-rm1 gd-rm2 gb-rm2 gd-rm3 gb-rm3'),
  },
  {
    name: 'exec',
    setup: cmds('run -d --name g@-ex bb sleep 1000'),
    steps: [
      s('exec g@-ex echo hi'),
      s('exec -w /tmp g@-ex pwd'),
      s("exec -e A=1 -u 1000 g@-ex sh -c 'echo $A $(id -u)'"),
      s("exec g@-ex sh -c 'echo err >&2; exit 4'"),
      s('exec -i g@-ex cat', { input: 'to exec\n' }),
      s('exec -d g@-ex true'),
      s('exec --privileged g@-ex true'),
      s('container exec g@-ex'),
    ],
    cleanup: cmds('rm -f gd-ex gb-ex'),
  },
  {
    name: 'exec: command not found',
    setup: cmds('run -d --name g@-ex2 bb sleep 1000'),
    steps: [s('exec g@-ex2 nosuchcmd')],
    cleanup: cmds('rm -f gd-ex2 gb-ex2'),
  },
  {
    name: 'attach without a tty',
    setup: cmds("run -d --name g@-at bb sh -c 'sleep 1; echo late; exit 4'"),
    steps: [s('attach g@-at', { timeoutMs: 20_000 })],
    cleanup: cmds('rm -f gd-at gb-at'),
  },
  {
    name: 'container prune with a label filter',
    setup: cmds('create --name g@-pr1 -l g@prune=1 bb true', 'run --name g@-pr2 -l g@prune=1 bb true'),
    steps: [s('container prune -f --filter label=g@prune'), s('ps -a --filter label=g@prune -q')],
    cleanup: cmds('rm -f gd-pr1 gb-pr1 gd-pr2 gb-pr2'),
  },
  {
    name: 'commit, then the image',
    setup: cmds("run --name g@-cm bb sh -c 'echo data > /file'"),
    steps: [
      s("commit -m 'a message' -a someone -c 'ENV K=v' -c 'CMD [\"cat\", \"/file\"]' g@-cm gimg@:1"),
      s('image inspect -f "{{.Comment}} {{.Author}} {{.Config.Env}} {{.Config.Cmd}}" gimg@:1'),
      s('history --format "{{.Comment}}|{{.CreatedBy}}" gimg@:1'),
      s('run --rm gimg@:1'),
      s('images gimg@'),
    ],
    cleanup: cmds('rm -f gd-cm gb-cm', 'rmi gimgd:1 gimgb:1'),
  },
  {
    name: 'export | import',
    setup: cmds("run --name g@-xp bb sh -c 'echo exported > /marker'"),
    steps: [
      { sh: '$CLI export g@-xp | $CLI import -m imported -c "CMD [\\"cat\\", \\"/marker\\"]" - gimp@:1' },
      s('run --rm gimp@:1'),
      s('history --format "{{.Comment}}|{{.CreatedBy}}" gimp@:1'),
      { sh: '$CLI container export g@-xp | tar -t | grep -c marker' },
    ],
    cleanup: cmds('rm -f gd-xp gb-xp', 'rmi gimpd:1 gimpb:1'),
  },
];

const IMAGES: GoldenCase[] = [
  {
    name: 'tag and rmi',
    steps: [s('tag bb gt@:1'), s('tag bb gt@:2'), s('images gt@ --format "{{.Repository}} {{.Tag}}"'), s('rmi gt@:1'), s('image rm gt@:2 gt@:3')],
  },
  {
    name: 'rmi of an image a container uses',
    setup: cmds('commit fx-diff gu@:1', 'create --name g@-u gu@:1 true'),
    steps: [s('rmi gu@:1'), s('rmi -f gu@:1'), s('ps -a --filter name=g@-u --format "{{.Names}}"')],
    cleanup: cmds('rm -f gd-u gb-u', 'rmi gud:1 gub:1'),
  },
  {
    name: 'save -o, rmi, load -i',
    setup: cmds('tag bb gs@:1'),
    steps: [
      { sh: 'dir=$(mktemp -d) && $CLI save -o $dir/x.tar gs@:1 && $CLI rmi gs@:1 && $CLI load -i $dir/x.tar; r=$?; rm -rf $dir; exit $r' },
      s('images gs@ --format "{{.Repository}}:{{.Tag}}"'),
    ],
    cleanup: cmds('rmi gsd:1 gsb:1'),
  },
  {
    name: 'save | load -q',
    setup: cmds('tag bb gl@:1'),
    steps: [{ sh: '$CLI save gl@:1 | $CLI load -q' }, { sh: '$CLI image save gl@:1 | $CLI image load' }, s('load -i /nonexistent.tar')],
    cleanup: cmds('rmi gld:1 glb:1'),
  },
  {
    name: 'save to a terminal-less stdout without -o',
    steps: [{ sh: '$CLI save bb | tar -t | sort | head -3' }],
  },
  {
    name: 'import from a tar on stdin with a tag and changes',
    steps: [
      { sh: 'dir=$(mktemp -d) && echo hi > $dir/f && tar -C $dir -c f | $CLI import -c "ENV A=b" -c "WORKDIR /w" - gim@:1; r=$?; rm -rf $dir; exit $r' },
      s('image inspect -f "{{.Config.Env}} {{.Config.WorkingDir}}" gim@:1'),
      s('rmi gim@:1'),
    ],
  },
  {
    name: 'image prune with a label filter',
    steps: [s('image prune -f --filter label=nosuch=1'), s('image prune -a -f --filter until=1h')],
  },
];

const NETWORKS_VOLUMES: GoldenCase[] = [
  {
    name: 'network create, connect, disconnect, rm',
    setup: cmds('run -d --name g@-nc bb sleep 1000'),
    steps: [
      s('network create --label g@=1 --subnet 203.0.113.0/26 g@-n1', { loose: true }),
      s('network connect --alias al@ g@-n1 g@-nc'),
      s('network connect g@-n1 g@-nc'),
      s('network inspect -f "{{len .Containers}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{json .IPAM.Config}}" g@-n1'),
      s('inspect -f "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}" g@-nc'),
      s('network disconnect g@-n1 g@-nc'),
      s('network disconnect g@-n1 g@-nc'),
      s('network rm g@-n1'),
      s('network rm g@-n1'),
    ],
    cleanup: cmds('rm -f gd-nc gb-nc', 'network rm gd-n1 gb-n1'),
  },
  {
    name: 'network create errors',
    steps: [s('network create --subnet bad g@-x'), s('network create --driver nosuch g@-x'), s('network create'), s('network create --ip-range 10.0.0.0/24 g@-x')],
  },
  {
    name: 'network prune with a label filter',
    setup: cmds('network create --label g@np=1 g@-np'),
    steps: [s('network prune -f --filter label=g@np'), s('network ls -q --filter label=g@np')],
    cleanup: cmds('network rm gd-np gb-np'),
  },
  {
    name: 'volume create, ls, rm',
    steps: [s('volume create --label g@=1 g@-v1'), s('volume ls --filter label=g@ --format "{{.Name}} {{.Labels}}"'), s('volume create g@-v1'), s('volume rm g@-v1'), s('volume rm g@-v1')],
  },
  {
    name: 'volume prune with a label filter',
    setup: cmds('volume create --label g@vp=1 g@-vp'),
    steps: [s('volume prune -f --filter label=g@vp --filter all=1'), s('volume ls -q --filter label=g@vp')],
    cleanup: cmds('volume rm gd-vp gb-vp'),
  },
];

const CONTEXTS_AND_LOGIN: GoldenCase[] = [
  {
    name: 'context create, ls, inspect, use, rm',
    steps: [
      s('context create --description "ctx g@" --docker host=$HOST g@ctx'),
      s('context ls'),
      s('context ls -q'),
      s('context ls --format json'),
      s('context inspect g@ctx'),
      s('context inspect -f "{{.Name}} {{.Endpoints.docker.Host}}" g@ctx default'),
      s('context create g@ctx'),
      s('context create "bad name"'),
      s('context create default'),
      s('context use g@ctx'),
      s('context show'),
      s('--context g@ctx ps -q --filter name=fx-web'),
      s('context rm g@ctx'),
      s('context use default'),
      s('context rm default nosuch'),
      s('--context nosuch ps'),
    ],
  },
  {
    name: 'context create --from, --docker errors',
    steps: [
      s('context create --docker host=$HOST g@c1'),
      s('context create --from g@c1 g@c2'),
      s('context inspect -f "{{.Name}} {{.Endpoints.docker.Host}} {{json .TLSMaterial}}" g@c2'),
      s('context create --docker nosuch=1 g@c3'),
      s('context create --docker host=$HOST,skip-tls-verify=maybe g@c3'),
      s('context create --docker ca=/nonexistent g@c3'),
      s('context rm g@c1 g@c2'),
    ],
  },
  ro('login'),
  {
    name: 'login and logout without a registry',
    steps: [
      s('login -u x --password-stdin 127.0.0.1:5999', { input: 'pw\n' }),
      s('login -u x 127.0.0.1:5999'),
      s('login -p pw --password-stdin -u x'),
      s('login --password-stdin'),
      s('logout 127.0.0.1:5999'),
      s('logout'),
    ],
  },
];

export const CASES: GoldenCase[] = [...RO_CONTAINERS, ...RO_IMAGES, ...RO_NETWORKS_VOLUMES, ...RO_SYSTEM, ...ERRORS, ...CONTEXTS_AND_LOGIN, ...CONTAINER_LIFECYCLE, ...IMAGES, ...NETWORKS_VOLUMES];

/** Normalizations applied to both runs' output. `names` maps each variant's instantiated word back to its template. */
export function normalize(text: string, o: { names: [string, string][]; loose?: boolean; ips?: boolean }): string {
  let t = text;
  for (const [inst, tmpl] of o.names) t = t.split(inst).join(tmpl);
  // the program's name in messages ("docker: …", "See 'docker run --help'"); berthd's own texts say docker to both
  t = t.replace(/\bdocker\b/g, 'berth').replace(/\bDOCKER_HOST\b/g, 'BERTH_HOST');
  t = t.replace(/\b[0-9a-f]{64}\b/g, '<id64>').replace(/\b[0-9a-f]{12}\b/g, '<id12>');
  t = t.replace(/\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d| [+-]\d{4} [A-Z]+)?/g, '<time>');
  t = t.replace(/"(time|timeNano|Created)":\d+/g, '"$1":<n>');
  t = t.replace(/\b(About a|About an|Less than a|\d+) (second|minute|hour)s?( ago)?/g, '<ago>');
  // a relative time's length ("Less than a second ago" vs "2 seconds ago") sets its table column's width, and the
  // two runs happen at different moments: compare such tables cell by cell, not by their padding
  if (t.includes('<ago>')) t = t.replace(/ {2,}/g, '  ').replace(/ +$/gm, '');
  if (o.ips) t = t.replace(/\b(172\.\d+|10\.\d+|198\.51|203\.0)\.\d+\.\d+\b/g, '<ip>');
  if (o.loose) t = t.replace(/ {2,}/g, '  ').replace(/ +$/gm, '');
  return t;
}
