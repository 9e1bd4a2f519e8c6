/**
 * Progress messages of pull and push, shaped and rendered as dockerd's streamformatter and jsonmessage do: the
 * `progress` text is the bar a 200-column terminal would show (the daemon has no terminal), sizes in decimal
 * units with four significant digits (go-units HumanSize).
 */

export interface ProgressDetail {
  current?: number;
  total?: number;
}

/** One line of a JSON progress stream. Keys are declared in dockerd's JSONMessage order. */
export interface JsonMessage {
  stream?: string;
  status?: string;
  progressDetail?: ProgressDetail;
  progress?: string;
  id?: string;
  errorDetail?: { message: string };
  error?: string;
  aux?: unknown;
}

/** Where pull and push report to. */
export type ProgressSink = (msg: JsonMessage) => void;

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `%.4g`: four significant digits, trailing zeros dropped. Only used for values below 1000 (and above). */
function g4(v: number): string {
  let s = v.toPrecision(4);
  if (s.includes('e')) return s;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** go-units HumanSize: 65536 → "65.54kB", 4065909 → "4.066MB", 527 → "527B". */
export function humanSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return g4(size) + DECIMAL_UNITS[i];
}

/** jsonmessage.JSONProgress.String() for a terminal `width` columns wide (the daemon renders for 200). */
export function progressText(current: number, total: number, width = 200): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const percentage = Math.min(Math.trunc(Math.trunc((current / total) * 100) / 2), 50);
  const bar = width > 110 ? `[${'='.repeat(percentage)}>${' '.repeat(Math.max(50 - percentage, 0))}] ` : '';
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** progress.Message: a plain status line, e.g. `{"status":"Pulling from bb","id":"v1"}`. */
export function statusLine(status: string, id?: string): JsonMessage {
  return id === undefined || id === '' ? { status } : { status, id };
}

/** progress.Update: a per-layer action without numbers, e.g. `{"status":"Pulling fs layer","progressDetail":{},"id":"…"}`. */
export function layerStatus(id: string, action: string): JsonMessage {
  return { status: action, progressDetail: {}, id };
}

/** A per-layer progress line with numbers (`Downloading`, `Extracting`, `Pushing`). Zero counts are omitted as Go does. */
export function layerProgress(id: string, action: string, current: number, total: number): JsonMessage {
  const detail: ProgressDetail = {};
  if (current !== 0) detail.current = current;
  if (total !== 0) detail.total = total;
  const msg: JsonMessage = { status: action, progressDetail: detail };
  const text = progressText(current, total);
  if (text !== '') msg.progress = text;
  msg.id = id;
  return msg;
}

/** progress.Aux: `{"progressDetail":{},"aux":{…}}`. */
export function auxLine(aux: unknown): JsonMessage {
  return { progressDetail: {}, aux };
}

/** streamformatter.FormatError: `errorDetail` plus the deprecated `error` string. */
export function errorLine(message: string): JsonMessage {
  return { errorDetail: { message }, error: message };
}

/**
 * dockerd's progress reader cadence: an update once at least min(512 kB, 1% of the total) more bytes went by and
 * no more often than every 100 ms, plus the final one. Returns a function telling whether to report now.
 */
export function progressThrottle(total: number, now: () => number = Date.now): (current: number) => boolean {
  let updateEvery = 512 * 1024;
  if (total > 0) updateEvery = Math.min(updateEvery, Math.trunc(total * 0.01));
  let lastBytes = 0;
  let lastTime = -Infinity;
  return (current: number): boolean => {
    if (current - lastBytes <= updateEvery && current !== total) return false;
    lastBytes = current;
    const t = now();
    if (current !== total && t - lastTime < 100) return false;
    lastTime = t;
    return true;
  };
}
