import { execErrorText } from '../../domain/oci-spec/start-error.ts';

/**
 * Turns what an OCI runtime printed on stderr into one message line. runc logs logrus text
 * (`time="…" level=error msg="runc create failed: …"`): the `msg` of error lines is kept and unquoted. crun prints
 * plain text with C strerror() wording ("No such file or directory"): its exec failures are reworded as runc's
 * (`exec: "/x": stat /x: no such file or directory`) and the errno text is lower-cased, so that dockerd's and the
 * docker CLI's text matching (127/126) works the same with both runtimes.
 */
export function runtimeErrorText(runtimeName: string, stderr: string, op: 'create' | 'exec' | string, cmd?: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const logrus = lines.map(parseLogrus).filter((x): x is { level: string; msg: string } => x !== undefined);
  if (logrus.length > 0) {
    const errs = logrus.filter((l) => l.level === 'error' || l.level === 'fatal');
    return (errs.length > 0 ? errs : logrus).map((l) => l.msg).join(': ');
  }
  const text = lines.join(': ').replace(/^Error: /, '');
  if (text === '') return `${runtimeName} ${op} failed`;
  const exec = crunExecError(text, cmd);
  if (exec) return `${runtimeName} ${op} failed: unable to start container process: ${exec}`;
  return `${runtimeName} ${op} failed: ${lowerErrno(text)}`;
}

function parseLogrus(line: string): { level: string; msg: string } | undefined {
  const level = /(?:^|\s)level=(\w+)/.exec(line)?.[1];
  const m = /(?:^|\s)msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(line)?.[1];
  if (!level || m === undefined) return undefined;
  return { level, msg: m.startsWith('"') ? unquoteGo(m) : m };
}

/** Unquotes a Go %q string (the escapes logrus produces). */
export function unquoteGo(q: string): string {
  const body = q.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'u':
      case 'x':
        return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      default:
        return e;
    }
  });
}

function crunExecError(text: string, cmd: string | undefined): string | undefined {
  const nf = /executable file `(.*)` not found in \$PATH: No such file or directory/.exec(text);
  if (nf) return execErrorText(nf[1]!, 'not-found');
  if (/open executable: (Permission denied|Operation not permitted)/.test(text) && cmd !== undefined) {
    return execErrorText(cmd, 'permission');
  }
  if (/^exec(v|vp|ve)?(\(.*\))?: (No such file or directory)/.test(text) && cmd !== undefined) return execErrorText(cmd, 'not-found');
  if (/^exec(v|vp|ve)?(\(.*\))?: (Permission denied)/.test(text) && cmd !== undefined) return execErrorText(cmd, 'permission');
  return undefined;
}

/** "…: No such file or directory" → "…: no such file or directory" (Go's wording of errno). */
function lowerErrno(text: string): string {
  return text.replace(/: ([A-Z][a-z]+(?: [a-z]+)*)(?=$|:)/g, (_, s: string) => `: ${s[0]!.toLowerCase()}${s.slice(1)}`);
}

/** True when the runtime's error says the container does not exist (runc and crun wording). */
export function isNotExist(stderr: string): boolean {
  return /container does not exist|container `[^`]*` does not exist|error opening file `[^`]*\/status`: No such file or directory/.test(stderr);
}
