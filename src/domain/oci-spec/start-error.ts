/**
 * What dockerd does with an OCI runtime's failure to start a container's (or exec's) process
 * (moby daemon/start.go translateContainerdStartErr): "executable file not found" / "no such file or directory"
 * mentioning the command → exit code 127; "permission denied" → 126; "not a directory" → 127 with a hint about
 * mounting a directory onto a file. Such failures are the user's configuration (HTTP 400); others are 500.
 * The CLI then maps the message text to its own exit code (127/126/125).
 */
export interface StartErrorClass {
  /** The container's (or exec's) exit code to record, if dockerd would set one. */
  exitCode?: number;
  /** A configuration error of the user's (400) rather than a daemon failure (500). */
  invalidConfig: boolean;
  message: string;
}

export function classifyStartError(message: string, cmd: string): StartErrorClass {
  const lower = message.toLowerCase();
  let out: StartErrorClass = { invalidConfig: false, message };
  if (
    lower.includes(cmd.toLowerCase()) &&
    (lower.includes('executable file not found') || lower.includes('no such file or directory') || lower.includes('system cannot find the file specified'))
  ) {
    out = { exitCode: 127, invalidConfig: true, message };
  }
  if (lower.includes('permission denied')) out = { exitCode: 126, invalidConfig: true, message };
  if (lower.includes('not a directory')) {
    out = {
      exitCode: 127,
      invalidConfig: true,
      message:
        message +
        ': Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type',
    };
  }
  return out;
}

/**
 * The runc-style message for a process that cannot be executed, which is what Docker users (and the docker CLI's
 * exit-code mapping) expect: `exec: "x": executable file not found in $PATH`, `exec: "/x": stat /x: no such file or
 * directory`, `exec: "/etc": permission denied`.
 */
export function execErrorText(cmd: string, kind: 'not-found' | 'permission'): string {
  if (kind === 'permission') return `exec: ${JSON.stringify(cmd)}: permission denied`;
  if (cmd.includes('/')) return `exec: ${JSON.stringify(cmd)}: stat ${cmd}: no such file or directory`;
  return `exec: ${JSON.stringify(cmd)}: executable file not found in $PATH`;
}
