import type { BenchImage } from './registry-image.ts';
import type { PullSample, RegistryMeasure } from './registry-steps.ts';
import type { SlotKey } from './slot.ts';
import { goalMet, median, ratio } from './stats.ts';

/** The registry benchmark's results and their markdown (pure: unit-tested in registry-report.test.ts). */

export type MeasureRow = RegistryMeasure;

export interface RegistrySlotInfo {
  key: SlotKey;
  title: string;
  command: string;
  version: string;
  startError: string | undefined;
}

export interface RegistryResults {
  runs: number;
  quick: boolean;
  image: Pick<BenchImage, 'uncompressedBytes' | 'compressedBytes' | 'layers'> | undefined;
  /** Wall times in ms per measure and slot. */
  samples: Record<MeasureRow, Partial<Record<SlotKey, number[]>>>;
  /** CPU time of the engine's processes (ms) during each sample. */
  cpu: Record<MeasureRow, Partial<Record<SlotKey, number[]>>>;
  /** Memory samples of each pull. */
  memory: Partial<Record<SlotKey, PullSample[]>>;
  /** "<measure>:<slot>" → error message. */
  errors: Record<string, string>;
  slots: RegistrySlotInfo[];
  facts: { date: string; machine: string; loadStart: string; loadEnd: string; versions: string[] };
}

const ROWS: { id: MeasureRow; label: string }[] = [
  { id: 'pull', label: '`docker pull` (download, verify, unpack)' },
  { id: 'pushPulled', label: '`docker push` of the pulled image to a fresh registry' },
  { id: 'pushLoaded', label: '`docker push` of a `docker load`ed copy (plain tar layers: compressed by the daemon)' },
];

const GOAL = { num: 1, den: 1 };

const secs = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const mb = (kb: number | undefined) => (kb === undefined ? '—' : `${(kb / 1024).toFixed(1)} MB`);

function med(xs: number[] | undefined): number | undefined {
  return xs?.length ? median(xs) : undefined;
}

function cell(res: RegistryResults, row: MeasureRow, key: SlotKey): string {
  if (res.slots.find((s) => s.key === key)?.startError) return 'did not start';
  if (res.errors[`${row}:${key}`]) return 'error';
  return secs(med(res.samples[row][key]));
}

export function renderRegistryReport(res: RegistryResults, notes: string[] = []): string {
  const out: string[] = [];
  const title = (k: SlotKey) => res.slots.find((s) => s.key === k)?.title ?? k;
  out.push(`# berth vs dockerd — registry benchmark${res.quick ? ' (--quick)' : ''}`, '');
  out.push(`- date: ${res.facts.date}`);
  out.push(`- machine: ${res.facts.machine}`);
  out.push(`- load average at start / end: ${res.facts.loadStart} / ${res.facts.loadEnd} (shared machine: other jobs may run)`);
  for (const s of res.slots) out.push(`- ${s.key}: \`${s.command}\`${s.version ? ` — server ${s.version}` : ''}`);
  for (const v of res.facts.versions) out.push(`- ${v}`);
  if (res.image) {
    out.push(
      `- image: ${res.image.layers} layers, ${(res.image.uncompressedBytes / 1e6).toFixed(0)} MB as tar, ${(res.image.compressedBytes / 1e6).toFixed(0)} MB gzipped (files half random bytes, half text)`,
    );
  }
  out.push(`- registries: Debian docker-registry inside each daemon's sandbox on 127.0.0.1 (plain HTTP); a fresh one for every push`);
  out.push(`- each time is the median of ${res.runs} run(s), the daemons alternating which goes first`, '');

  out.push(`| measure | ${title('berth')} | ${title('docker')} | berth/docker | goal | met |`, '|---|--:|--:|--:|:-:|:-:|');
  for (const row of ROWS) {
    const r = ratio(med(res.samples[row.id].berth), med(res.samples[row.id].docker));
    const met = goalMet(r, GOAL);
    out.push(`| ${row.label} | ${cell(res, row.id, 'berth')} | ${cell(res, row.id, 'docker')} | ${r === undefined ? '—' : r.toFixed(2)} | ≤ 1× | ${met === undefined ? '?' : met ? 'yes' : 'no'} |`);
  }
  const peak = (k: SlotKey, f: keyof PullSample, pick: (...xs: number[]) => number = Math.max) => {
    const xs = res.memory[k]?.map((m) => m[f]);
    return xs?.length ? pick(...xs) : undefined;
  };
  out.push(`| peak RSS of the daemon process during the pull (max over runs) | ${mb(peak('berth', 'daemonPeakKb'))} | ${mb(peak('docker', 'daemonPeakKb'))} | ${ratioText(peak('berth', 'daemonPeakKb'), peak('docker', 'daemonPeakKb'))} |  |  |`);
  out.push(`| peak RSS of the engine during the pull (the daemon and every process under it) | ${mb(peak('berth', 'enginePeakKb'))} | ${mb(peak('docker', 'enginePeakKb'))} | ${ratioText(peak('berth', 'enginePeakKb'), peak('docker', 'enginePeakKb'))} |  |  |`);
  const before = (k: SlotKey) => peak(k, 'daemonBeforeKb', Math.min);
  out.push(`| RSS of the daemon process before the first pull | ${mb(before('berth'))} | ${mb(before('docker'))} | ${ratioText(before('berth'), before('docker'))} |  |  |`);
  out.push('');
  out.push(
    "The machine is shared: wall times move with the load of other jobs. The CPU time the engine's processes used (the daemon and everything under it, reaped helpers included) is steadier:",
    '',
  );
  out.push(`| CPU time of the engine, median | ${title('berth')} | ${title('docker')} | berth/docker |`, '|---|--:|--:|--:|');
  for (const row of ROWS) {
    const b = med(res.cpu[row.id].berth);
    const d = med(res.cpu[row.id].docker);
    out.push(`| ${row.label} | ${secs(b)} | ${secs(d)} | ${ratioText(b, d)} |`);
  }
  out.push('');

  out.push('## All runs', '');
  for (const row of ROWS) {
    for (const k of ['berth', 'docker'] as const) {
      const xs = res.samples[row.id][k];
      const cpu = res.cpu[row.id][k];
      if (xs?.length) out.push(`- ${row.id}, ${k}: ${xs.map((x, i) => `${secs(x)}${cpu?.[i] !== undefined ? ` (CPU ${secs(cpu[i])})` : ''}`).join(', ')}`);
    }
  }
  out.push('');
  const errs = Object.entries(res.errors);
  if (errs.length) {
    out.push('## Errors', '');
    for (const [k, m] of errs) out.push(`### ${k}`, '', '```', m, '```', '');
  }
  if (notes.length) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

function ratioText(b: number | undefined, d: number | undefined): string {
  const r = ratio(b, d);
  return r === undefined ? '—' : r.toFixed(2);
}
