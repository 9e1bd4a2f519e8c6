/**
 * A port of Go's text/tabwriter (as vendored by docker/cli, with East-Asian-wide runes counted as 2 columns),
 * for the flag set docker uses: NewWriter(out, minwidth 10, tabwidth 1, padding 3, ' ', 0).
 * Cells end at '\t'; a line's last cell is not aligned; a line without tabs ends the current column block.
 */

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

/** Display width of a string (wide and fullwidth runes count 2, combining marks 0). */
export function displayWidth(s: string): number {
  // the common case, without a \p{...} regex (compiling one costs about a millisecond at start-up)
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0 || (c < 32 && c !== 9) || (c >= 0x7f && c < 0xa0) || c === 0x200b) continue;
    if (c >= 0x300 && (combining ??= /\p{Mn}|\p{Me}/u).test(ch)) continue;
    w += isWide(c) ? 2 : 1;
  }
  return w;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Nonspacing and enclosing marks (none below U+0300), compiled on first use. */
let combining: RegExp | undefined;

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

export class TabWriter {
  readonly #minwidth: number;
  readonly #padding: number;
  readonly #padchar: string;
  #lines: Cell[][] = [[]];
  #cell = '';
  #out = '';
  readonly #widths: number[] = [];

  constructor(minwidth = 10, padding = 3, padchar = ' ') {
    this.#minwidth = minwidth;
    this.#padding = padding;
    this.#padchar = padchar;
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
        this.#cell += text.slice(start, i);
        start = i + 1;
        const ncells = this.#terminateCell(ch === '\t');
        if (ch === '\n' || ch === '\f') {
          this.#lines.push([]);
          if (ch === '\f' || ncells === 1) this.#flushLines();
        }
      }
    }
    this.#cell += text.slice(start);
  }

  #terminateCell(htab: boolean): number {
    const line = this.#lines[this.#lines.length - 1]!;
    line.push({ text: this.#cell, width: displayWidth(this.#cell), htab });
    this.#cell = '';
    return line.length;
  }

  /** Flushes everything written so far and returns the formatted text. */
  flush(): string {
    if (this.#cell.length > 0) this.#terminateCell(false);
    this.#flushLines();
    const out = this.#out;
    this.#out = '';
    return out;
  }

  #flushLines(): void {
    this.#format(0, this.#lines.length);
    // keep a trailing partial cell state: Go resets the line list after a flush
    this.#lines = [[]];
    this.#widths.length = 0;
  }

  #writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.#lines[i]!;
      line.forEach((c, j) => {
        this.#out += c.text;
        if (j < this.#widths.length) this.#out += this.#padchar.repeat(Math.max(this.#widths[j]! - c.width, 0));
      });
      if (i + 1 === this.#lines.length) {
        // last buffered line: its incomplete cell is still pending (written by the caller later)
      } else {
        this.#out += '\n';
      }
    }
  }

  #format(line0: number, line1: number): void {
    const column = this.#widths.length;
    for (let t = line0; t < line1; t++) {
      let line = this.#lines[t]!;
      if (column >= line.length - 1) continue;
      this.#writeLines(line0, t);
      line0 = t;
      let width = this.#minwidth;
      for (; t < line1; t++) {
        line = this.#lines[t]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        const w = c.width + this.#padding;
        if (w > width) width = w;
      }
      this.#widths.push(width);
      this.#format(line0, t);
      this.#widths.pop();
      line0 = t;
      t--;
    }
    this.#writeLines(line0, line1);
  }
}

/** Formats tab-separated text the way docker's table output does. */
export function tabulate(text: string): string {
  const w = new TabWriter();
  w.write(text);
  return w.flush();
}
