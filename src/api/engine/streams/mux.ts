/** The stream framing is shared with the client (src/wire/stdcopy.ts); the content type is the server's. */
export { Demuxer, frame, STDERR, STDIN, STDOUT } from '../../../wire/stdcopy.ts';

/** The Content-Type of an attach/exec/logs stream at the request's API version (≥1.42 distinguishes). */
export function streamContentType(version: number, tty: boolean): string {
  if (version >= 1.42 && !tty) return 'application/vnd.docker.multiplexed-stream';
  return 'application/vnd.docker.raw-stream';
}
