/**
 * The golden suite of the berth CLI (issue 5's acceptance): every command line of cli-golden-cases.ts runs twice
 * against the same berthd, once with the stock docker CLI and once with bin/berth, and stdout, stderr and the exit
 * code must match after normalization (ids, names made per run, times, the program's name). Interactive cases
 * run both CLIs on a pseudo-terminal and compare the transcripts.
 *
 * BERTH_GOLDEN_ONLY=<regex> runs only the cases whose name matches (the fixtures are always made).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CmdResult } from '../support/proc.ts';
import { runCmd } from '../support/proc.ts';
import { PtySession } from '../support/pty.ts';
import type { Sandbox } from '../support/sandbox.ts';
import { REPO_ROOT } from '../support/sandbox.ts';
import { CASES, FIXTURES, type GoldenCase, type Step, normalize } from './cli-golden-cases.ts';
import { useSandbox } from './helpers.ts';

const sandbox = useSandbox({ label: 'golden' });

type Variant = 'docker' | 'berth';
const VARIANTS: Variant[] = ['docker', 'berth'];
const LETTER: Record<Variant, string> = { docker: 'd', berth: 'b' };
const DOCKER = process.env.BERTH_TEST_DOCKER ?? '/usr/local/bin/docker';
const BERTH = join(REPO_ROOT, 'bin/berth');
const only = process.env.BERTH_GOLDEN_ONLY ? new RegExp(process.env.BERTH_GOLDEN_ONLY) : undefined;

/** The environment of each CLI: the same daemon, each its own config dir, fixed time zone, no hints. */
function cliEnv(sb: Sandbox, v: Variant): Record<string, string | undefined> {
  return {
    TZ: 'UTC',
    DOCKER_HOST: sb.host,
    BERTH_HOST: sb.host,
    DOCKER_CONFIG: sb.dockerConfig,
    BERTH_CONFIG: join(sb.dir, 'berth-config'),
    DOCKER_CONTEXT: undefined,
    BERTH_CONTEXT: undefined,
    DOCKER_CLI_HINTS: 'false',
    CLI: v === 'docker' ? DOCKER : BERTH,
  };
}

const vars: Record<string, string> = {};

/** Replaces `@` by the variant's letter, $T0/$T1 by the fixture window, $HOST by the daemon's address. */
function inst(word: string, v: Variant): string {
  return word.replaceAll('@', LETTER[v]).replace(/\$(T0|T1|HOST)\b/g, (m) => vars[m.slice(1)] ?? m);
}

/** [instantiated, template] pairs of every word with an `@`, longest first, for the normalization. */
function namesOf(c: GoldenCase, v: Variant): [string, string][] {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const m of text.matchAll(/[\w.:-]*@[\w.:-]*/g)) if (m[0] !== '@') words.add(m[0]);
  };
  for (const st of c.steps) {
    for (const a of st.args ?? []) add(a);
    if (st.sh) add(st.sh);
  }
  for (const line of c.setup ?? []) for (const a of line) add(a);
  return [...words].sort((a, b) => b.length - a.length).map((w) => [inst(w, v), w]);
}

async function runStep(sb: Sandbox, st: Step, v: Variant): Promise<CmdResult> {
  const env = cliEnv(sb, v);
  const opts = { env, input: st.input, timeoutMs: st.timeoutMs ?? 30_000 };
  if (st.sh) return runCmd(['sh', '-c', inst(st.sh, v)], opts);
  return runCmd([v === 'docker' ? DOCKER : BERTH, ...st.args!.map((a) => inst(a, v))], opts);
}

async function dockerQuiet(sb: Sandbox, args: string[]): Promise<CmdResult> {
  return runCmd([DOCKER, ...args], { env: cliEnv(sb, 'docker'), timeoutMs: 60_000 });
}

function report(r: CmdResult, names: [string, string][], st: Step): string {
  const sb = sandbox();
  // each CLI has its own config dir (context store paths show in `context inspect`)
  const dirs: [string, string][] = [
    [join(sb.dir, 'berth-config'), '<config>'],
    [sb.dockerConfig, '<config>'],
  ];
  const n = (t: string) => normalize(t, { names: [...names, ...dirs], loose: st.loose, ips: st.ips });
  return `exit ${r.code}\n--- stdout\n${n(r.stdout)}--- stderr\n${n(r.stderr)}`;
}

function label(st: Step): string {
  return st.sh ?? st.args!.join(' ');
}

async function runCase(sb: Sandbox, c: GoldenCase): Promise<void> {
  const reports: Record<Variant, string[]> = { docker: [], berth: [] };
  try {
    for (const v of VARIANTS) {
      for (const line of c.setup ?? []) {
        const r = await dockerQuiet(sb, line.map((a) => inst(a, v)));
        if (r.code !== 0) assert.fail(sb.explain(r, `setup of "${c.name}" for ${v}`));
      }
      const names = namesOf(c, v);
      for (const st of c.steps) {
        const r = await runStep(sb, st, v);
        assert.ok(!r.timedOut, `${v} ${label(st)} timed out\n${report(r, names, st)}`);
        reports[v].push(`$ ${label(st)}\n${report(r, names, st)}`);
      }
    }
  } finally {
    for (const line of c.cleanup ?? []) await dockerQuiet(sb, line);
  }
  assert.equal(reports.berth.join('\n'), reports.docker.join('\n'), `berth differs from docker (- docker, + berth)`);
}

describe('CLI golden suite: berth vs docker on the same berthd', () => {
  test('fixtures', async () => {
    const sb = sandbox();
    vars.T0 = String(Math.floor(Date.now() / 1000) - 1);
    vars.HOST = sb.host;
    for (const f of FIXTURES) {
      const r = await dockerQuiet(sb, f.args);
      if (r.code !== f.code) assert.fail(sb.explain(r, `fixture: expected exit code ${f.code}`));
    }
    await new Promise((r) => setTimeout(r, 1100));
    vars.T1 = String(Math.floor(Date.now() / 1000));
  });

  let count = 0;
  for (const c of CASES) {
    if (only && !only.test(c.name)) continue;
    count += c.steps.length;
    if (c.gap) {
      test.skip(`${c.name} — daemon gap: ${c.gap}`, () => {});
      continue;
    }
    test(c.name, async () => runCase(sandbox(), c));
  }

  test('the suite has at least 100 command lines', { skip: !!only }, () => {
    assert.ok(count + INTERACTIVE.length >= 100, `only ${count} command lines`);
  });
});

// ---- interactive cases: both CLIs on a pseudo-terminal ----

interface Interactive {
  name: string;
  setup?: string[][];
  args: string[];
  /** Drives the session: returns when it is done typing. */
  drive(s: PtySession): Promise<void>;
  /** Run after the session with the CLI under test; its output is compared too. */
  after?: string[];
  cleanup?: string[][];
}

const PROMPT = /# $/m;

const INTERACTIVE: Interactive[] = [
  {
    name: 'run -it: a shell, exit code passed through',
    args: ['run', '-it', '--rm', '--name', 'g@-it', 'bb', 'sh'],
    async drive(s) {
      await s.expect(PROMPT, 15_000);
      s.send('echo "sum=$((40+2))"; stty size\r');
      await s.expect('40 120');
      await s.expect(PROMPT);
      s.send('exit 3\r');
    },
  },
  {
    name: 'run -t without -i',
    args: ['run', '-t', '--rm', 'bb', 'sh', '-c', 'tty; stty size; echo done'],
    async drive(s) {
      await s.expect('done', 15_000);
    },
  },
  {
    name: 'run -it reading a line',
    args: ['run', '-it', '--rm', 'bb', 'sh', '-c', 'read x; echo "got:$x"; exit 2'],
    async drive(s) {
      await new Promise((r) => setTimeout(r, 1500));
      s.send('abc\r');
      await s.expect('got:abc', 10_000);
    },
  },
  {
    name: 'exec -it: a second shell',
    setup: [['run', '-d', '--name', 'g@-xi', 'bb', 'sleep', '1000']],
    args: ['exec', '-it', 'g@-xi', 'sh'],
    async drive(s) {
      await s.expect(PROMPT, 15_000);
      s.send('echo "in-$((2+3))"; exit 5\r');
    },
    cleanup: [['rm', '-f', 'gd-xi', 'gb-xi']],
  },
  {
    name: 'run -it --detach-keys: detach and leave it running',
    args: ['run', '-it', '--name', 'g@-dk', '--detach-keys', 'ctrl-x,x', 'bb', 'sh'],
    async drive(s) {
      await s.expect(PROMPT, 15_000);
      s.send('echo before-$((1+1))\r');
      await s.expect('before-2');
      await s.expect(PROMPT);
      s.send('\x18x');
    },
    after: ['inspect', '-f', '{{.State.Running}}', 'g@-dk'],
    cleanup: [['rm', '-f', 'gd-dk', 'gb-dk']],
  },
  {
    name: 'attach, then ctrl-p ctrl-q',
    setup: [['run', '-dit', '--name', 'g@-att', 'bb', 'sh']],
    args: ['attach', 'g@-att'],
    async drive(s) {
      await new Promise((r) => setTimeout(r, 500));
      s.send('echo attached-$((6*7))\r');
      await s.expect('attached-42', 15_000);
      await s.expect(PROMPT);
      s.send('\x10\x11');
    },
    after: ['inspect', '-f', '{{.State.Running}}', 'g@-att'],
    cleanup: [['rm', '-f', 'gd-att', 'gb-att']],
  },
];

describe('CLI golden suite: interactive, through a pty', () => {
  for (const c of INTERACTIVE) {
    if (only && !only.test(c.name)) continue;
    test(c.name, async () => {
      const sb = sandbox();
      const out: Record<Variant, string> = { docker: '', berth: '' };
      try {
        for (const v of VARIANTS) {
          for (const line of c.setup ?? []) {
            const r = await dockerQuiet(sb, line.map((a) => inst(a, v)));
            if (r.code !== 0) assert.fail(sb.explain(r, `setup of "${c.name}" for ${v}`));
          }
          const bin = v === 'docker' ? DOCKER : BERTH;
          const s = new PtySession([bin, ...c.args.map((a) => inst(a, v))], { env: cliEnv(sb, v), timeoutMs: 30_000 });
          let exit: Awaited<ReturnType<PtySession['wait']>>;
          try {
            await c.drive(s);
            exit = await s.wait();
          } finally {
            s.kill();
          }
          const names: [string, string][] = [...new Set([...c.args, ...(c.after ?? [])].filter((a) => a.includes('@')))].map((a) => [inst(a, v), a]);
          // a shell redraws its prompt, and what was typed so far, when the first resize lands after it printed it
          // (docker and berth alike; when depends only on timing)
          const transcript = exit.text.replace(/\/ # [^\r\n]*\r(?=\/ # )/g, '');
          let text = `exit ${exit.code}${exit.timedOut ? ' (timed out)' : ''}\n${normalize(transcript, { names })}`;
          if (c.after) {
            const r = await runStep(sb, { args: c.after }, v);
            text += `\n$ ${c.after.join(' ')}\n${report(r, names, {})}`;
          }
          out[v] = text;
        }
      } finally {
        for (const line of c.cleanup ?? []) await dockerQuiet(sb, line);
      }
      assert.equal(out.berth, out.docker, 'berth differs from docker on a terminal (- docker, + berth)');
    });
  }
});
