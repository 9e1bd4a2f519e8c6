/** Readers of the load tools' output (dnsperf, wrk, iperf3), free of I/O so they can be unit-tested. */

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  /** Per-query latency in ms, from `-v` lines (`> NOERROR web A 0.000386`). */
  latenciesMs: number[];
  /** Response codes other than NOERROR, with their counts. */
  badCodes: Record<string, number>;
}

function num(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  if (!m) throw new Error(`${what} not found in the output:\n${text.slice(-1500)}`);
  return Number(m[1]);
}

export function parseDnsperf(out: string): DnsperfResult {
  const latenciesMs: number[] = [];
  const badCodes: Record<string, number> = {};
  for (const m of out.matchAll(/^> (\S+) \S+ \S+ ([0-9.]+)$/gm)) {
    latenciesMs.push(Number(m[2]) * 1000);
    if (m[1] !== 'NOERROR') badCodes[m[1]!] = (badCodes[m[1]!] ?? 0) + 1;
  }
  return {
    sent: num(out, /Queries sent:\s+(\d+)/, 'dnsperf "Queries sent"'),
    completed: num(out, /Queries completed:\s+(\d+)/, 'dnsperf "Queries completed"'),
    lost: num(out, /Queries lost:\s+(\d+)/, 'dnsperf "Queries lost"'),
    qps: num(out, /Queries per second:\s+([0-9.]+)/, 'dnsperf "Queries per second"'),
    latenciesMs,
    badCodes,
  };
}

export interface WrkResult {
  requests: number;
  rps: number;
  /** Connect/read/write/timeout errors plus non-2xx/3xx responses. */
  errors: number;
}

export function parseWrk(out: string): WrkResult {
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  // busybox httpd closes every connection after its response: wrk counts those closes as read errors, not failures
  const errors = (sock ? Number(sock[1]) + Number(sock[3]) + Number(sock[4]) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    requests: num(out, /(\d+) requests in /, 'wrk "requests in"'),
    rps: num(out, /Requests\/sec:\s+([0-9.]+)/, 'wrk "Requests/sec"'),
    errors,
  };
}

/** iperf3 -J of the client: received bits per second → Gbit/s. */
export function parseIperf3(json: string): number {
  let j: { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  try {
    j = JSON.parse(json) as typeof j;
  } catch {
    throw new Error(`iperf3 printed no JSON:\n${json.slice(0, 1500)}`);
  }
  if (j.error) throw new Error(`iperf3: ${j.error}`);
  const bps = j.end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number') throw new Error('iperf3: no end.sum_received.bits_per_second');
  return bps / 1e9;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new RangeError('percentile of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}
