/**
 * Go's json.Indent: re-indents JSON text without re-encoding it, so key order, number literals and string
 * escapes from the daemon are kept byte for byte (what `inspect` prints). Empty {} and [] stay compact.
 */
export function jsonIndent(src: string, prefix = '', indent = '    '): string {
  let out = '';
  let depth = 0;
  let needIndent = false;
  let inStr = false;
  const newline = () => {
    out += `\n${prefix}${indent.repeat(depth)}`;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inStr) {
      out += c;
      if (c === '\\') {
        out += src[++i] ?? '';
      } else if (c === '"') inStr = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      newline();
    }
    switch (c) {
      case '"':
        inStr = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case ',':
        out += c;
        newline();
        break;
      case ':':
        out += ': ';
        break;
      case '}':
      case ']':
        if (needIndent) {
          needIndent = false;
        } else {
          depth--;
          newline();
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** Go's json.Compact. */
export function jsonCompact(src: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inStr) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (c === '"') inStr = true;
    out += c;
  }
  return out;
}
