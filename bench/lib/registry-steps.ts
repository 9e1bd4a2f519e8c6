import { rmSync } from 'node:fs';
import { type InnerRegistry, skopeo, startRegistryIn } from '../../test/compat/registry-sandbox.ts';
import { sleep } from '../../test/support/proc.ts';
import type { BenchImage } from './registry-image.ts';
import { engineMemory } from './memory.ts';
import type { Slot, SlotKey } from './slot.ts';

/**
 * The registry benchmark's steps on one slot: registries run inside the slot's own sandbox (its netns), on
 * loopback, which both daemons treat as insecure (plain HTTP) by default. Times in ms, memory in kB.
 */

export const SOURCE = '127.0.0.1:5000';
export const PULL_REF = `${SOURCE}/bench/big:v1`;

export type RegistryMeasure = 'pull' | 'pushPulled' | 'pushLoaded';

export interface PullSample {
  ms: number;
  /** Peak RSS of the daemon process during the pull. */
  daemonPeakKb: number;
  /** Peak of the sum over every process of the engine (dockerd + containerd + helpers such as unpigz). */
  enginePeakKb: number;
  /** The daemon's RSS just before the pull. */
  daemonBeforeKb: number;
}

export class RegistrySlot {
  readonly slot: Slot;
  source: InnerRegistry | undefined;
  #port = 5100;

  constructor(slot: Slot) {
    this.slot = slot;
  }

  get key(): SlotKey {
    return this.slot.key;
  }

  /** Starts the source registry in the slot's sandbox and seeds it with the image (untimed). */
  async prepare(img: BenchImage): Promise<void> {
    const sb = this.slot.sb!;
    this.source = await startRegistryIn(sb, { name: 'bench-source', addr: SOURCE });
    await skopeo(sb, ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${img.ociDir}:v1`, `docker://${PULL_REF}`], 300_000);
  }

  /** Removes every image of the daemon (so nothing of the bench image is cached), ignoring "no such image". */
  async removeImages(): Promise<void> {
    const ids = (await this.slot.docker(['images', '-aq'])).out.split('\n').filter(Boolean);
    if (ids.length) await this.slot.docker(['rmi', '-f', ...new Set(ids)], 120_000);
  }

  /** `docker pull` of the 5-layer image, timed, with the daemon's RSS sampled every 50 ms. */
  async pull(): Promise<PullSample> {
    const sb = this.slot.sb!;
    const daemonPid = sb.daemonPid;
    const daemonKb = (): number => {
      const m = engineMemory(sb);
      return m.procs.find((p) => p.pid === daemonPid)?.rssKb ?? 0;
    };
    const daemonBeforeKb = daemonKb();
    let daemonPeakKb = daemonBeforeKb;
    let enginePeakKb = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = engineMemory(sb);
        enginePeakKb = Math.max(enginePeakKb, m.rssKb);
        daemonPeakKb = Math.max(daemonPeakKb, m.procs.find((p) => p.pid === daemonPid)?.rssKb ?? 0);
        await sleep(50);
      }
    })();
    try {
      const r = await this.slot.docker(['pull', PULL_REF], 300_000);
      if (!/Downloaded newer image/.test(r.out)) throw new Error(`pull did not download anything:\n${r.out}`);
      return { ms: r.ms, daemonPeakKb, enginePeakKb, daemonBeforeKb };
    } finally {
      sampling = false;
      await sampler;
    }
  }

  /**
   * Pushes `localRef` to a fresh registry (a new one per push, so no layer is there or mountable yet), timed.
   * The registry and its storage are removed afterwards.
   */
  async pushFresh(localRef: string): Promise<number> {
    const sb = this.slot.sb!;
    const addr = `127.0.0.1:${this.#port++}`;
    const reg = await startRegistryIn(sb, { name: `bench-push-${addr.split(':')[1]}`, addr });
    try {
      const target = `${addr}/bench/pushed:v1`;
      await this.slot.docker(['tag', localRef, target]);
      const r = await this.slot.docker(['push', target], 300_000);
      if (!/: Pushed$/m.test(r.out)) throw new Error(`push uploaded nothing:\n${r.out}`);
      await this.slot.docker(['rmi', target]);
      return r.ms;
    } finally {
      await reg.stop();
      rmSync(reg.dir, { recursive: true, force: true });
    }
  }

  /** `docker load` of the archive (untimed): the plain-tar layers a push has to compress. */
  async load(img: BenchImage): Promise<void> {
    const sb = this.slot.sb!;
    const r = await sb.docker(['load', '-i', img.archive], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(sb.explain(r, 'docker load failed'));
  }
}
