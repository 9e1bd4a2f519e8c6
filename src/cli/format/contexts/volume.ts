/** docker/cli's volumeContext: the fields of `volume ls` and of `system df -v` templates. */
import type { Volume } from '../../../client/types.ts';
import { GO_TYPE } from '../template.ts';
import { humanSize } from '../units.ts';

export class VolumeContext {
  readonly [GO_TYPE] = '*formatter.volumeContext';
  readonly #v: Volume;
  constructor(v: Volume) {
    this.#v = v;
  }
  Name(): string {
    return this.#v.Name;
  }
  Driver(): string {
    return this.#v.Driver;
  }
  Scope(): string {
    return this.#v.Scope ?? '';
  }
  Mountpoint(): string {
    return this.#v.Mountpoint;
  }
  Labels(): string {
    const l = this.#v.Labels;
    if (!l) return '';
    return Object.entries(l)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }
  Label(name: string): string {
    return this.#v.Labels?.[name] ?? '';
  }
  Links(): string {
    return this.#v.UsageData ? String(this.#v.UsageData.RefCount) : 'N/A';
  }
  Size(): string {
    return this.#v.UsageData ? humanSize(this.#v.UsageData.Size) : 'N/A';
  }
  Group(): string {
    return 'N/A';
  }
  Availability(): string {
    return 'N/A';
  }
  Status(): string {
    return 'N/A';
  }
}
