/** formatter.Ellipsis: truncates to a display width, ending with "…". */
import { displayWidth } from './tabwriter.ts';

export function ellipsis(s: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  const rs = [...s];
  if (maxWidth === 1) return rs[0] ?? '';
  if (Buffer.byteLength(s) === rs.length) {
    if (rs.length <= maxWidth) return s;
    return `${rs.slice(0, maxWidth - 1).join('')}…`;
  }
  const widths: number[] = [];
  let total = 0;
  for (const r of rs) {
    total += displayWidth(r) || 1;
    widths.push(total);
  }
  if (total <= maxWidth) return s;
  for (let i = 0; i < widths.length - 1; i++) {
    if (widths[i]! <= maxWidth - 1 && widths[i + 1]! > maxWidth - 1) return `${rs.slice(0, i + 1).join('')}…`;
  }
  return s;
}
