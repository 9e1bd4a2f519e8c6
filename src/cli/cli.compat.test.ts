/**
 * Side-by-side with the stock docker CLI (28.2.2, /usr/local/bin/docker) against the same fake engine: stdout,
 * stderr (with "docker" read as "berth"), exit code and the requests sent must match. Skipped without docker.
 * Cases where docker's own output is not deterministic (Go map order) are left out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asBerth, compareClis } from './testing/compare.ts';
import { hasDocker } from './testing/run-cli.ts';
import { setup } from './testing/world.ts';

const CASES = [
  'ps',
  'ps -a --no-trunc',
  'ps -q',
  'ps -s',
  'ps --format json',
  'ps --format {{.ID}}\\t{{.Command}}\\t{{.Label "app"}}',
  'ps --format table_{{.Names}}\\t{{.State}}',
  'ps --format raw',
  'ps --filter label=app=x -f status=running -n 2',
  'logs --tail 5 -t t1',
  'stop -t 3 -s KILL t1',
  'restart --time 2 t1',
  'kill -s HUP t1',
  'kill nosuch',
  'rm -f nosuch',
  'rename nosuch x',
  'wait t1',
  'top t1 -ef',
  'port t1',
  'port t1 81/udp',
  'port t1 443',
  'port t1 abc',
  'diff t1',
  'container prune -f',
  'commit -m msg -a me -c CMD_x t1 repo:tag',
  'inspect t1',
  'inspect -f {{.State.Pid}}-{{json .Config.Cmd}} t1 nosuch',
  'inspect -f json t1',
  'inspect nosuch',
  'inspect --type volume v1',
  'inspect --type bogus v1',
  'start t1 nosuch',
  'images -a --digests',
  'images --format json',
  'image inspect -f {{.Config.Cmd}} bb nosuch',
  'history bb',
  'history --no-trunc -H=false bb',
  'rmi bb nosuch',
  'tag bb:latest 127.0.0.1:5055/bb:v1',
  'image prune -a -f --filter until=24h',
  'pull bb',
  'pull -q bb:1',
  'push 127.0.0.1:5999/bb',
  'network ls',
  'network ls --format json',
  'network inspect n1 nosuch',
  'network create --subnet 10.1.0.0/16 --gateway 10.1.0.1 --ip-range 10.1.1.0/24 --aux-address a=10.1.0.5 -o com.x=y --label k=v --ipv6 n1',
  'network create --subnet 10.1.0.0/16 --gateway 10.2.0.1 n1',
  'network rm n1 nosuch',
  'network connect --alias a --ip 10.0.0.3 --driver-opt k=v n1 t1',
  'network disconnect -f n1 t1',
  'network prune -f',
  'volume ls',
  'system df -v --format {{range_.Volumes}}{{.Name}}:{{.Driver}}:{{.Links}}{{end}}',
  'volume create --label k=v -o type=tmpfs v9',
  'volume rm v1 v2',
  'volume prune -a -f',
  'version --format {{.Server.Version}}',
  'info --format {{.NCPU}}',
  'events',
  'events --format {{.Type}}:{{.Action}}',
  'run --rm bb echo hi',
  'run -d --name t1 bb sleep 1000',
  'run --foo x',
  'run',
  'run -it bb sh',
  'create --name x -p 8080:80 -e A=1 -v /a:/b bb',
  'exec t1 echo hi',
  'exec -d t1 touch /x',
  'attach --no-stdin t1',
  'start -a t1',
  'foo',
  'network',
  'network foo',
  'ps --help',
  'container ls --bogus',
  'logs',
  'ps x',
];

/**
 * Lines whose order the docker CLI does not fix: an image with several repositories is listed repository by
 * repository in Go map order (docker/cli's imageFormat ranges over a map), so it changes from run to run.
 */
const ANY_ORDER = new Set(['images -a --digests', 'images --format json']);

/** The lines sorted, a table's header (capitals) staying first. */
function lines(text: string): string[] {
  const all = text.split('\n');
  return /^[A-Z][A-Z ]+/.test(all[0] ?? '') ? [all[0]!, ...all.slice(1).sort()] : all.sort();
}

describe('berth vs docker CLI output', { skip: !hasDocker() && 'docker CLI not installed' }, () => {
  for (const line of CASES) {
    it(line, async () => {
      const args = line.split(' ').map((a) => a.replaceAll('_', ' '));
      const r = await compareClis(setup, args, { timeoutMs: 10000 });
      const reqs = (rs: typeof r.docker.requests) =>
        rs.filter((x) => x.path !== '/_ping').map((x) => `${x.method} ${x.url.replace(/^\/v1\.\d+/, '')} ${x.body.toString()}`);
      if (ANY_ORDER.has(line)) assert.deepEqual(lines(r.berth.stdout), lines(asBerth(r.docker.stdout)), 'stdout lines');
      else assert.equal(r.berth.stdout, asBerth(r.docker.stdout), 'stdout');
      assert.equal(r.berth.stderr, asBerth(r.docker.stderr), 'stderr');
      assert.equal(r.berth.code, r.docker.code, 'exit code');
      assert.deepEqual(reqs(r.berth.requests), reqs(r.docker.requests), 'requests');
    });
  }
});
