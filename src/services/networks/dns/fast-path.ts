/**
 * The embedded DNS server's hot path, on the wire bytes: a standard query with one A or AAAA question is read
 * without a full decode, and its answer is the query's own header and question followed by the answer records
 * (name as a pointer to the question). Anything else (other opcodes or types, several questions, compressed or
 * odd names, answers that would not fit in 512 bytes) is left to the full decoder: `parseSimpleQuery` returns
 * undefined.
 */

export interface SimpleQuery {
  id: number;
  /** Recursion desired (copied into the answer). */
  rd: boolean;
  /** The name, lower case, without the trailing dot. */
  name: string;
  type: 'A' | 'AAAA';
  /** Offset of the end of the question (the answer copies the bytes before it). */
  questionEnd: number;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;

export function parseSimpleQuery(q: Buffer): SimpleQuery | undefined {
  if (q.length < 17) return undefined;
  const flags = q.readUInt16BE(2);
  // QR=0 (a query), opcode 0, and exactly one question; answers/authority empty; additionals (EDNS OPT) ignored
  if (flags & 0xf800 || q.readUInt16BE(4) !== 1 || q.readUInt16BE(6) !== 0 || q.readUInt16BE(8) !== 0) return undefined;
  let off = 12;
  const labels: string[] = [];
  for (;;) {
    if (off >= q.length) return undefined;
    const len = q[off]!;
    if (len === 0) break;
    // a pointer (0xC0) or reserved label type: not in a plain question
    if (len > 63) return undefined;
    if (off + 1 + len > q.length) return undefined;
    labels.push(q.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  off += 1;
  if (off + 4 > q.length || labels.length === 0) return undefined;
  const qtype = q.readUInt16BE(off);
  if (q.readUInt16BE(off + 2) !== CLASS_IN || (qtype !== TYPE_A && qtype !== TYPE_AAAA)) return undefined;
  const name = labels.join('.').toLowerCase();
  // names with dots, spaces or binary inside labels are rare: the full decoder handles their escaping
  if (!/^[a-z0-9_.-]+$/.test(name)) return undefined;
  return { id: q.readUInt16BE(0), rd: (flags & 0x0100) !== 0, name, type: qtype === TYPE_A ? 'A' : 'AAAA', questionEnd: off + 4 };
}

/** "10.0.0.2" → 4 bytes; "2001:db8::1" → 16 bytes; undefined when it is not an address of the family. */
export function addressBytes(ip: string, family: 4 | 6): Buffer | undefined {
  if (family === 4) {
    const p = ip.split('.');
    if (p.length !== 4) return undefined;
    const b = Buffer.alloc(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(p[i]);
      if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
      b[i] = n;
    }
    return b;
  }
  const [head, tail] = ip.includes('::') ? (ip.split('::') as [string, string]) : [ip, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) b.writeUInt16BE(Number.parseInt(groups[i]!, 16), i * 2);
  return b;
}

/**
 * The answer to `sq` (read from `query`): rcode 0 with `ips` as records (TTL `ttl`), or none for no-data. Undefined
 * when an address does not parse or the answer would need more than 512 bytes (the full path truncates it).
 */
export function encodeSimpleAnswer(query: Buffer, sq: SimpleQuery, ips: readonly string[], ttl: number): Buffer | undefined {
  const family = sq.type === 'A' ? 4 : 6;
  const rdlen = family === 4 ? 4 : 16;
  const size = sq.questionEnd + ips.length * (12 + rdlen);
  if (size > 512) return undefined;
  const out = Buffer.alloc(size);
  query.copy(out, 0, 0, sq.questionEnd);
  // QR, RD as asked, RA, rcode 0; one question, the answers, no authority or additionals
  out.writeUInt16BE(0x8080 | (sq.rd ? 0x0100 : 0), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(ips.length, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  let off = sq.questionEnd;
  for (const ip of ips) {
    const data = addressBytes(ip, family);
    if (!data) return undefined;
    out.writeUInt16BE(0xc00c, off);
    out.writeUInt16BE(family === 4 ? TYPE_A : TYPE_AAAA, off + 2);
    out.writeUInt16BE(CLASS_IN, off + 4);
    out.writeUInt32BE(ttl, off + 6);
    out.writeUInt16BE(rdlen, off + 10);
    data.copy(out, off + 12);
    off += 12 + rdlen;
  }
  return out;
}
