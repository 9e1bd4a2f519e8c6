/** docker's toStatusError for run/create: 127 for "not found" start errors, 126 for permission errors, else 125. */
import { StatusError } from '../errors.ts';

export function withHelp(bin: string, msg: string, command: string): string {
  return `${bin}: ${msg}\n\nRun '${bin} ${command} --help' for more information`;
}

export function toStatusError(bin: string, err: unknown, command = 'run'): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  const text = withHelp(bin, msg, command);
  if (msg.includes('executable file not found') || msg.includes('no such file or directory') || msg.includes('system cannot find the file specified')) {
    return new StatusError(text, 127, { cause: err });
  }
  if (msg.includes('permission denied') || msg.includes('is a directory')) return new StatusError(text, 126, { cause: err });
  return new StatusError(text, 125, { cause: err });
}
