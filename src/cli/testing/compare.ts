/**
 * Side-by-side runs of the stock docker CLI and berth against the same fake engine: the fake records each CLI's
 * requests separately so both the output and the request sequence can be compared.
 */
import type { CliResult, RunOptions } from './run-cli.ts';
import { berth, docker } from './run-cli.ts';
import { FakeEngine } from '../../client/testing/fake-engine.ts';

export interface Side extends CliResult {
  calls: string[];
  requests: FakeEngine['requests'];
}

export async function compareClis(setup: (e: FakeEngine) => void, args: string[], o: RunOptions = {}): Promise<{ docker: Side; berth: Side }> {
  const run = async (which: 'docker' | 'berth'): Promise<Side> => {
    const e = await FakeEngine.start();
    try {
      setup(e);
      const fn = which === 'docker' ? docker : berth;
      const r = await fn(['-H', e.host, ...args], o);
      return { ...r, calls: e.calls(), requests: e.requests };
    } finally {
      await e.close();
    }
  };
  const d = await run('docker');
  const b = await run('berth');
  return { docker: d, berth: b };
}

/** Replaces "docker"/"Docker" with "berth" in docker's output, for comparisons. */
export function asBerth(s: string): string {
  return s
    .replaceAll('Docker daemon', 'berth daemon')
    .replaceAll('docker daemon', 'berth daemon')
    .replace(/(?<![./])\bdocker\b(?![.-])/g, 'berth');
}
