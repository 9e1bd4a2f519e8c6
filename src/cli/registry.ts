/**
 * The command tree. Descriptions live here so help listings never load command modules; each leaf names its
 * module, loaded only when that command runs (start-up cost stays flat as commands are added).
 */
import type { CommandDef } from './command.ts';

export type Loader = () => Promise<{ default: CommandDef }>;

export interface Entry {
  name: string;
  short: string;
  /** cobra Aliases: other names the command answers to (`container ls` → list, ps). */
  aliases?: string[];
  load?: Loader;
  /** Overrides the module's usage for this place in the tree (`rmi` vs `image rm`). */
  usage?: string;
  children?: Entry[];
  /** Root help grouping: "top" commands are listed under Common Commands in this order. */
  top?: number;
  /** Left out of help listings (`__complete`). */
  hidden?: boolean;
}

const c = {
  attach: () => import('./commands/container/attach.ts'),
  commit: () => import('./commands/container/commit.ts'),
  cp: () => import('./commands/container/cp.ts'),
  create: () => import('./commands/container/create.ts'),
  diff: () => import('./commands/container/diff.ts'),
  exec: () => import('./commands/container/exec.ts'),
  export: () => import('./commands/container/export.ts'),
  inspect: () => import('./commands/container/inspect.ts'),
  kill: () => import('./commands/container/kill.ts'),
  logs: () => import('./commands/container/logs.ts'),
  ls: () => import('./commands/container/ls.ts'),
  pause: () => import('./commands/container/pause.ts'),
  port: () => import('./commands/container/port.ts'),
  prune: () => import('./commands/container/prune.ts'),
  rename: () => import('./commands/container/rename.ts'),
  restart: () => import('./commands/container/restart.ts'),
  rm: () => import('./commands/container/rm.ts'),
  run: () => import('./commands/container/run.ts'),
  start: () => import('./commands/container/start.ts'),
  stats: () => import('./commands/container/stats.ts'),
  stop: () => import('./commands/container/stop.ts'),
  top: () => import('./commands/container/top.ts'),
  unpause: () => import('./commands/container/unpause.ts'),
  update: () => import('./commands/container/update.ts'),
  wait: () => import('./commands/container/wait.ts'),
} satisfies Record<string, Loader>;

const i = {
  history: () => import('./commands/image/history.ts'),
  import: () => import('./commands/image/import.ts'),
  inspect: () => import('./commands/image/inspect.ts'),
  load: () => import('./commands/image/load.ts'),
  ls: () => import('./commands/image/ls.ts'),
  prune: () => import('./commands/image/prune.ts'),
  pull: () => import('./commands/image/pull.ts'),
  push: () => import('./commands/image/push.ts'),
  rm: () => import('./commands/image/rm.ts'),
  save: () => import('./commands/image/save.ts'),
  tag: () => import('./commands/image/tag.ts'),
} satisfies Record<string, Loader>;

const n = {
  connect: () => import('./commands/network/connect.ts'),
  create: () => import('./commands/network/create.ts'),
  disconnect: () => import('./commands/network/disconnect.ts'),
  inspect: () => import('./commands/network/inspect.ts'),
  ls: () => import('./commands/network/ls.ts'),
  prune: () => import('./commands/network/prune.ts'),
  rm: () => import('./commands/network/rm.ts'),
} satisfies Record<string, Loader>;

const s = {
  df: () => import('./commands/system/df.ts'),
  dialStdio: () => import('./commands/system/dial-stdio.ts'),
  events: () => import('./commands/system/events.ts'),
  info: () => import('./commands/system/info.ts'),
  prune: () => import('./commands/system/prune.ts'),
  version: () => import('./commands/system/version.ts'),
  inspect: () => import('./commands/system/inspect.ts'),
} satisfies Record<string, Loader>;

const v = {
  create: () => import('./commands/volume/create.ts'),
  inspect: () => import('./commands/volume/inspect.ts'),
  ls: () => import('./commands/volume/ls.ts'),
  prune: () => import('./commands/volume/prune.ts'),
  rm: () => import('./commands/volume/rm.ts'),
} satisfies Record<string, Loader>;

const x = {
  create: () => import('./commands/context/create.ts'),
  inspect: () => import('./commands/context/inspect.ts'),
  ls: () => import('./commands/context/ls.ts'),
  rm: () => import('./commands/context/rm.ts'),
  show: () => import('./commands/context/show.ts'),
  use: () => import('./commands/context/use.ts'),
} satisfies Record<string, Loader>;

const r = {
  login: () => import('./commands/registry/login.ts'),
  logout: () => import('./commands/registry/logout.ts'),
} satisfies Record<string, Loader>;

const completion = (shell: 'bash' | 'zsh' | 'fish'): Loader => async () => ({ default: (await import('./commands/system/completion.ts')).forShell(shell) });

const D = {
  attach: 'Attach local standard input, output, and error streams to a running container',
  commit: "Create a new image from a container's changes",
  cp: 'Copy files/folders between a container and the local filesystem',
  create: 'Create a new container',
  diff: "Inspect changes to files or directories on a container's filesystem",
  exec: 'Execute a command in a running container',
  export: "Export a container's filesystem as a tar archive",
  kill: 'Kill one or more running containers',
  logs: 'Fetch the logs of a container',
  pause: 'Pause all processes within one or more containers',
  port: 'List port mappings or a specific mapping for the container',
  rename: 'Rename a container',
  restart: 'Restart one or more containers',
  rm: 'Remove one or more containers',
  run: 'Create and run a new container from an image',
  start: 'Start one or more stopped containers',
  stats: 'Display a live stream of container(s) resource usage statistics',
  update: 'Update configuration of one or more containers',
  stop: 'Stop one or more running containers',
  top: 'Display the running processes of a container',
  unpause: 'Unpause all processes within one or more containers',
  wait: 'Block until one or more containers stop, then print their exit codes',
  history: 'Show the history of an image',
  import: 'Import the contents from a tarball to create a filesystem image',
  load: 'Load an image from a tar archive or STDIN',
  pull: 'Download an image from a registry',
  push: 'Upload an image to a registry',
  rmi: 'Remove one or more images',
  save: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  tag: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  events: 'Get real time events from the server',
  info: 'Display system-wide information',
  version: 'Show the berth version information',
  inspect: 'Return low-level information on berth objects',
  ps: 'List containers',
  images: 'List images',
};

export const root: Entry = {
  name: 'berth',
  short: 'A self-sufficient runtime for containers',
  children: [
    // Common commands
    { name: 'run', short: D.run, load: c.run, top: 1 },
    { name: 'exec', short: D.exec, load: c.exec, top: 2 },
    { name: 'ps', short: D.ps, load: c.ls, usage: '[OPTIONS]', top: 3 },
    { name: 'pull', short: D.pull, load: i.pull, top: 5 },
    { name: 'push', short: D.push, load: i.push, top: 6 },
    { name: 'images', short: D.images, load: i.ls, usage: '[OPTIONS] [REPOSITORY[:TAG]]', top: 7 },
    { name: 'login', short: 'Authenticate to a registry', load: r.login, top: 9 },
    { name: 'logout', short: 'Log out from a registry', load: r.logout, top: 10 },
    { name: 'version', short: D.version, load: s.version, top: 11 },
    { name: 'info', short: D.info, load: s.info, top: 12 },
    // Management commands
    {
      name: 'container',
      short: 'Manage containers',
      children: [
        { name: 'attach', short: D.attach, load: c.attach },
        { name: 'commit', short: D.commit, load: c.commit },
        { name: 'cp', short: D.cp, load: c.cp },
        { name: 'create', short: D.create, load: c.create },
        { name: 'diff', short: D.diff, load: c.diff },
        { name: 'exec', short: D.exec, load: c.exec },
        { name: 'export', short: D.export, load: c.export },
        { name: 'inspect', short: 'Display detailed information on one or more containers', load: c.inspect },
        { name: 'kill', short: D.kill, load: c.kill },
        { name: 'logs', short: D.logs, load: c.logs },
        { name: 'ls', short: 'List containers', load: c.ls, aliases: ['ps', 'list'], usage: '[OPTIONS]' },
        { name: 'pause', short: D.pause, load: c.pause },
        { name: 'port', short: D.port, load: c.port },
        { name: 'prune', short: 'Remove all stopped containers', load: c.prune },
        { name: 'rename', short: D.rename, load: c.rename },
        { name: 'restart', short: D.restart, load: c.restart },
        { name: 'rm', short: D.rm, load: c.rm, aliases: ['remove'] },
        { name: 'run', short: D.run, load: c.run },
        { name: 'start', short: D.start, load: c.start },
        { name: 'stats', short: D.stats, load: c.stats },
        { name: 'stop', short: D.stop, load: c.stop },
        { name: 'top', short: D.top, load: c.top },
        { name: 'unpause', short: D.unpause, load: c.unpause },
        { name: 'update', short: D.update, load: c.update },
        { name: 'wait', short: D.wait, load: c.wait },
      ],
    },
    {
      name: 'context',
      short: 'Manage contexts',
      children: [
        { name: 'create', short: 'Create a context', load: x.create },
        { name: 'inspect', short: 'Display detailed information on one or more contexts', load: x.inspect },
        { name: 'ls', short: 'List contexts', load: x.ls, aliases: ['list'] },
        { name: 'rm', short: 'Remove one or more contexts', load: x.rm, aliases: ['remove'] },
        { name: 'show', short: 'Print the name of the current context', load: x.show },
        { name: 'use', short: 'Set the current berth context', load: x.use },
      ],
    },
    {
      name: 'image',
      short: 'Manage images',
      children: [
        { name: 'history', short: D.history, load: i.history },
        { name: 'import', short: D.import, load: i.import },
        { name: 'inspect', short: 'Display detailed information on one or more images', load: i.inspect },
        { name: 'load', short: D.load, load: i.load },
        { name: 'ls', short: 'List images', load: i.ls, aliases: ['list'], usage: '[OPTIONS] [REPOSITORY[:TAG]]' },
        { name: 'prune', short: 'Remove unused images', load: i.prune },
        { name: 'pull', short: D.pull, load: i.pull },
        { name: 'push', short: D.push, load: i.push },
        { name: 'rm', short: D.rmi, load: i.rm, aliases: ['rmi', 'remove'], usage: '[OPTIONS] IMAGE [IMAGE...]' },
        { name: 'save', short: D.save, load: i.save },
        { name: 'tag', short: D.tag, load: i.tag },
      ],
    },
    {
      name: 'network',
      short: 'Manage networks',
      children: [
        { name: 'connect', short: 'Connect a container to a network', load: n.connect },
        { name: 'create', short: 'Create a network', load: n.create },
        { name: 'disconnect', short: 'Disconnect a container from a network', load: n.disconnect },
        { name: 'inspect', short: 'Display detailed information on one or more networks', load: n.inspect },
        { name: 'ls', short: 'List networks', load: n.ls, aliases: ['list'] },
        { name: 'prune', short: 'Remove all unused networks', load: n.prune },
        { name: 'rm', short: 'Remove one or more networks', load: n.rm, aliases: ['remove'] },
      ],
    },
    {
      name: 'system',
      short: 'Manage berth',
      children: [
        { name: 'df', short: 'Show berth disk usage', load: s.df },
        { name: 'dial-stdio', short: 'Proxy the stdio stream to the daemon connection. Should not be invoked manually.', load: s.dialStdio, hidden: true },
        { name: 'events', short: D.events, load: s.events },
        { name: 'info', short: D.info, load: s.info },
        { name: 'prune', short: 'Remove unused data', load: s.prune },
      ],
    },
    {
      name: 'volume',
      short: 'Manage volumes',
      children: [
        { name: 'create', short: 'Create a volume', load: v.create },
        { name: 'inspect', short: 'Display detailed information on one or more volumes', load: v.inspect },
        { name: 'ls', short: 'List volumes', load: v.ls, aliases: ['list'] },
        { name: 'prune', short: 'Remove unused local volumes', load: v.prune },
        { name: 'rm', short: 'Remove one or more volumes', load: v.rm, aliases: ['remove'] },
      ],
    },
    {
      name: 'completion',
      short: 'Generate the autocompletion script for the specified shell',
      hidden: true,
      children: [
        { name: 'bash', short: 'Generate the autocompletion script for bash', load: completion('bash') },
        { name: 'fish', short: 'Generate the autocompletion script for fish', load: completion('fish') },
        { name: 'zsh', short: 'Generate the autocompletion script for zsh', load: completion('zsh') },
      ],
    },
    // Other commands
    { name: 'attach', short: D.attach, load: c.attach },
    { name: 'commit', short: D.commit, load: c.commit },
    { name: 'cp', short: D.cp, load: c.cp },
    { name: 'create', short: D.create, load: c.create },
    { name: 'diff', short: D.diff, load: c.diff },
    { name: 'events', short: D.events, load: s.events },
    { name: 'export', short: D.export, load: c.export },
    { name: 'history', short: D.history, load: i.history },
    { name: 'import', short: D.import, load: i.import },
    { name: 'inspect', short: D.inspect, load: s.inspect },
    { name: 'kill', short: D.kill, load: c.kill },
    { name: 'load', short: D.load, load: i.load },
    { name: 'logs', short: D.logs, load: c.logs },
    { name: 'pause', short: D.pause, load: c.pause },
    { name: 'port', short: D.port, load: c.port },
    { name: 'rename', short: D.rename, load: c.rename },
    { name: 'restart', short: D.restart, load: c.restart },
    { name: 'rm', short: D.rm, load: c.rm },
    { name: 'rmi', short: D.rmi, load: i.rm, usage: '[OPTIONS] IMAGE [IMAGE...]' },
    { name: 'save', short: D.save, load: i.save },
    { name: 'start', short: D.start, load: c.start },
    { name: 'stats', short: D.stats, load: c.stats },
    { name: 'stop', short: D.stop, load: c.stop },
    { name: 'tag', short: D.tag, load: i.tag },
    { name: 'top', short: D.top, load: c.top },
    { name: 'unpause', short: D.unpause, load: c.unpause },
    { name: 'update', short: D.update, load: c.update },
    { name: 'wait', short: D.wait, load: c.wait },
  ],
};

export function findChild(parent: Entry, name: string): Entry | undefined {
  return parent.children?.find((e) => e.name === name || e.aliases?.includes(name));
}
