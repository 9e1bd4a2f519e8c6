import { existsSync } from 'node:fs';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import type { NamespaceMode, SpecOptions } from '../../domain/oci-spec/spec.ts';

export interface NamespaceChoices {
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  cgroupns?: NamespaceMode;
  shm: NonNullable<SpecOptions['shm']>;
}

function containerRef(mode: string): string | undefined {
  return mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/**
 * The PID, IPC and cgroup namespaces of a start (dockerd's getPidContainer / getIPCContainer and its shm
 * handling): `host`, a private one, or another running container's. A shareable IPC donor has its /dev/shm
 * on the host (`shmPath`, mounted by the caller) so that joiners bind the same tmpfs; `--ipc host` binds the
 * host's /dev/shm; `--ipc none` has none.
 */
export function resolveNamespaces(rec: ContainerRecord, find: (ref: string) => ContainerRecord | undefined, shmPath: (rec: ContainerRecord) => string): NamespaceChoices {
  const h = rec.HostConfig;
  const out: NamespaceChoices = { shm: { kind: 'tmpfs' } };
  const running = (ref: string, what: string): ContainerRecord => {
    const c = find(ref);
    if (!c) throw what === 'IPC' ? new InvalidArgumentError(`No such container: ${ref}`) : new NotFoundError(`No such container: ${ref}`);
    if (c.Id === rec.Id) throw new InvalidArgumentError(`cannot join own ${what} namespace`);
    if (!c.State.Running || !c.State.Pid) throw new ConflictError(`container ${ref} is not running`);
    if (c.State.Restarting) throw new ConflictError(`Container ${c.Id} is restarting, wait until the container is running`);
    return c;
  };
  if (h.PidMode === 'host') out.pid = { mode: 'host' };
  else {
    const ref = containerRef(h.PidMode);
    if (ref) out.pid = { mode: 'path', path: `/proc/${running(ref, 'PID').State.Pid}/ns/pid` };
  }
  const ipc = h.IpcMode;
  if (ipc === 'host') {
    out.ipc = { mode: 'host' };
    out.shm = { kind: 'bind', source: '/dev/shm' };
  } else if (ipc === 'none') out.shm = { kind: 'none' };
  else if (ipc === 'shareable') out.shm = { kind: 'bind', source: shmPath(rec) };
  else {
    const ref = containerRef(ipc);
    if (ref) {
      const donor = running(ref, 'IPC');
      if (donor.HostConfig.IpcMode === 'host') {
        out.ipc = { mode: 'host' };
        out.shm = { kind: 'bind', source: '/dev/shm' };
      } else {
        const path = shmPath(donor);
        if (donor.HostConfig.IpcMode !== 'shareable' || !existsSync(path)) {
          throw new InvalidArgumentError(`container ${ref}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
        }
        out.ipc = { mode: 'path', path: `/proc/${donor.State.Pid}/ns/ipc` };
        out.shm = { kind: 'bind', source: path };
      }
    }
  }
  if (h.CgroupnsMode === 'private') out.cgroupns = { mode: 'private' };
  return out;
}
