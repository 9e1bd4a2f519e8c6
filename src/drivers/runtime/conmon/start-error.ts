import { InvalidArgumentError, SystemError } from '../../../common/errors.ts';
import { classifyStartError } from '../../../domain/oci-spec/start-error.ts';

/**
 * dockerd 20.10's text for a process the OCI runtime could not start, around the runtime's own text (as
 * runtimeErrorText words it):
 *   create: `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container
 *           process: exec: "/x": stat /x: no such file or directory: unknown`
 *   exec:   `OCI runtime exec failed: exec failed: unable to start container process: exec: "x": executable file not
 *           found in $PATH: unknown`
 * "failed to create shim task" is containerd's shim call, ": unknown" the gRPC code containerd's errors carry.
 * The runtime's name stays what it is (crun says "crun create failed"); runc's exec errors name no runtime, so
 * crun's lose theirs too.
 */
export function startErrorText(op: 'create' | 'exec', runtimeName: string, text: string): string {
  if (op === 'create') return `failed to create shim task: OCI runtime create failed: ${text}: unknown`;
  const own = `${runtimeName} exec failed`;
  const detail = text === own || text.startsWith(`${own}: `) ? `exec failed${text.slice(own.length)}` : text;
  return `OCI runtime exec failed: ${detail}: unknown`;
}

/** dockerd's split: a process that cannot be executed is the user's error (400), anything else the daemon's. */
export function startError(op: 'create' | 'exec', runtimeName: string, text: string, cmd: string): Error {
  const msg = startErrorText(op, runtimeName, text);
  return classifyStartError(msg, cmd).invalidConfig ? new InvalidArgumentError(msg) : new SystemError(msg);
}
