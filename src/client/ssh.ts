/**
 * `ssh://[user@]host[:port][/socket]` daemon addresses, as the docker CLI's connhelper handles them: the URL rules
 * of its ssh.NewSpec, and the argv of the system `ssh` that runs `dial-stdio` on the remote host, whose stdin and
 * stdout then carry the Engine API (see command-conn.ts). The remote command runs berth's dial-stdio when the
 * remote has berth on its PATH, else docker's own: `ssh … -- host 'command -v berth … && exec berth system
 * dial-stdio || exec docker system dial-stdio'` (a line every POSIX shell, zsh and fish run alike).
 */

export interface SshSpec {
  user: string;
  host: string;
  /** As written in the URL ("" = ssh's default or the ssh config's Port). */
  port: string;
  /** Socket path on the remote host ("" = the remote CLI's default). */
  path: string;
}

/** A malformed ssh:// address; the CLI prints it after "Failed to initialize: ". */
export class SshUrlError extends Error {
  override name = 'SshUrlError';
}

function invalid(why: string): SshUrlError {
  return new SshUrlError(`ssh host connection is not valid: invalid SSH URL: ${why}`);
}

function percentDecode(s: string, url: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    const bad = /%(?![0-9a-fA-F]{2})[\s\S]{0,2}/.exec(s)?.[0] ?? s;
    throw new SshUrlError(`parse ${JSON.stringify(url)}: invalid URL escape ${JSON.stringify(bad)}`);
  }
}

/** Parses an ssh:// daemon URL with the rules (and wording) of Go's url.Parse and docker's ssh.NewSpec. */
export function parseSshUrl(url: string): SshSpec {
  if (!url.startsWith('ssh://')) throw invalid(url.includes('://') ? `incorrect scheme: ${url.slice(0, url.indexOf('://'))}` : 'no scheme provided');
  let rest = url.slice(6);
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = percentDecode(rest.slice(hash + 1), url);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? percentDecode(rest.slice(slash), url) : '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  let host = hostport;
  let port = '';
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) throw new SshUrlError(`parse ${JSON.stringify(url)}: missing ']' in host`);
    host = hostport.slice(1, end);
    const after = hostport.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) throw new SshUrlError(`parse ${JSON.stringify(url)}: invalid port ${JSON.stringify(after)} after host`);
    port = after.slice(1);
    if (!/^\d*$/.test(port)) throw new SshUrlError(`parse ${JSON.stringify(url)}: invalid port ${JSON.stringify(after)} after host`);
  } else {
    const colon = hostport.lastIndexOf(':');
    if (colon >= 0) {
      const p = hostport.slice(colon + 1);
      if (!/^\d*$/.test(p)) throw new SshUrlError(`parse ${JSON.stringify(url)}: invalid port ${JSON.stringify(hostport.slice(colon))} after host`);
      host = hostport.slice(0, colon);
      port = p;
    }
    host = percentDecode(host, url);
  }
  let user = '';
  if (userinfo !== undefined) {
    if (!/^[\w\-.~!$&'()*+,;=:%@]*$/.test(userinfo)) throw new SshUrlError(`parse ${JSON.stringify(url)}: net/url: invalid userinfo`);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) throw invalid('plain-text password is not supported');
    user = percentDecode(userinfo, url);
  }
  if (host === '') throw invalid('hostname is empty');
  if (query !== '') throw invalid(`query parameters are not allowed: ${JSON.stringify(query)}`);
  if (fragment !== '') throw invalid(`fragments are not allowed: ${JSON.stringify(fragment)}`);
  return { user, host, port, path };
}

/** The command the remote shell runs: berth's dial-stdio, or docker's where berth is not installed. */
export function remoteDialCommand(spec: SshSpec): string {
  const host = spec.path.replace(/^\/+|\/+$/g, '') === '' ? '' : ` ${shellQuote(`--host=unix://${spec.path}`)}`;
  return `command -v berth >/dev/null 2>&1 && exec berth${host} system dial-stdio || exec docker${host} system dial-stdio`;
}

/** POSIX shell quoting for one word (only when needed). */
export function shellQuote(s: string): string {
  if (s !== '' && /^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * ssh's arguments (without "ssh" itself), in the docker CLI's order: its fixed flags `-o ConnectTimeout=30` (one
 * argument, as docker passes it) and `-T` (no pseudo-terminal, so no login shell), then -l/-p from the URL,
 * `--`, the host and the remote command.
 */
export function sshArgs(spec: SshSpec): string[] {
  const args = ['-o ConnectTimeout=30', '-T'];
  if (spec.user) args.push('-l', spec.user);
  if (spec.port) args.push('-p', spec.port);
  args.push('--', spec.host, remoteDialCommand(spec));
  return args;
}
