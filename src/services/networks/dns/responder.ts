import * as dnsPacket from 'dns-packet';
import { addressOfReverseName, type DnsView, type NameAnswer, resolveAddress, resolveName, rotate } from '../../../domain/net/dns-names.ts';
import { encodeSimpleAnswer, parseSimpleQuery } from './fast-path.ts';

/** DNS response codes used by the embedded server. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** TTL of the embedded server's own answers (libnetwork's respTTL). */
export const RESP_TTL = 600;

/** Memoized name answers kept at most (random names asked in a loop must not grow the memo without end). */
const MEMO_MAX = 10_000;

/**
 * Told the answer of a plain query answered from the records (the addresses in their order; none for no-data), so
 * a cache can answer the same question until the records change.
 */
export type LearnAnswer = (name: string, type: 'A' | 'AAAA', ips: readonly string[]) => void;

/** How a container's unknown names are handled. */
export interface ForwardPolicy {
  /** False for a container whose every network is internal: unknown names get REFUSED (moby ≥ 26). */
  enabled: boolean;
  /** The external servers, in order ("--dns", the daemon's "dns", else the host's non-loopback nameservers). */
  servers: readonly string[];
}

export interface ResponderDeps {
  /** The current records (running containers on resolving networks). */
  view(): DnsView;
  policy(containerId: string): ForwardPolicy;
  /** Sends the query as it is to the servers in order; the first answer, or undefined when none answered. */
  forward(servers: readonly string[], query: Buffer, proto: 'udp' | 'tcp'): Promise<Buffer | undefined>;
}

/** The largest UDP answer the client takes: its EDNS payload size, else 512 bytes (RFC 1035). */
function udpLimit(q: dnsPacket.DecodedPacket): number {
  const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(512, opt?.udpPayloadSize ?? 512);
}

function reply(q: dnsPacket.DecodedPacket, rcode: number, answers: dnsPacket.Answer[] = [], limit = 65535): Buffer {
  const enc = (list: dnsPacket.Answer[], tc: boolean) =>
    dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: (q.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcode,
      questions: q.questions ?? [],
      answers: list,
    });
  let out = enc(answers, false);
  // too big for UDP (many containers behind one alias): fewer records and the TC bit, the client retries over TCP
  for (let n = answers.length - 1; out.length > limit && n >= 0; n--) out = enc(answers.slice(0, n), true);
  return out;
}

/**
 * The embedded DNS server's logic for one query of one container (transport-free): A/AAAA/PTR of the names on the
 * container's networks are answered here (round robin over shared aliases, no-data for a known name without an
 * address of the asked family); everything else is forwarded as it is, REFUSED when forwarding is off for the
 * container, SERVFAIL when no external server answered. Malformed packets are dropped (undefined).
 */
export class DnsResponder {
  readonly #d: ResponderDeps;
  #turn = 0;
  /** resolveName's answers for the current view (asker, family, name), cleared when the view changes. */
  #memo = new Map<string, NameAnswer>();
  #memoView: DnsView | undefined;

  constructor(deps: ResponderDeps) {
    this.#d = deps;
  }

  #resolve(view: DnsView, containerId: string, name: string, family: 4 | 6): NameAnswer {
    if (view !== this.#memoView || this.#memo.size > MEMO_MAX) {
      this.#memo.clear();
      this.#memoView = view;
    }
    const key = `${containerId}\n${family}\n${name}`;
    let r = this.#memo.get(key);
    if (r === undefined) {
      r = resolveName(view, containerId, name, family);
      this.#memo.set(key, r);
    }
    return r;
  }

  /**
   * The hot path, synchronous: a plain A/AAAA query for a name on the asker's networks, answered from the wire
   * bytes. Undefined when the query needs the full path (`answer`): anything else, or a name that is not local.
   * `learn` is told the answer (only these plain questions, whose wire form the native fast path reads alike).
   */
  answerLocal(containerId: string, query: Buffer, learn?: LearnAnswer): Buffer | undefined {
    const sq = parseSimpleQuery(query);
    if (!sq) return undefined;
    const r = this.#resolve(this.#d.view(), containerId, sq.name, sq.type === 'A' ? 4 : 6);
    if (r.kind === 'unknown') return undefined;
    const answer = encodeSimpleAnswer(query, sq, r.kind === 'found' ? rotate(r.ips, this.#turn++) : [], RESP_TTL);
    if (answer && learn) learn(sq.name, sq.type, r.kind === 'found' ? r.ips : []);
    return answer;
  }

  async answer(containerId: string, query: Buffer, proto: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    const fast = this.answerLocal(containerId, query);
    if (fast) return fast;
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(query);
    } catch {
      return undefined;
    }
    if (q.type !== 'query' || !q.questions || q.questions.length === 0) return undefined;
    if ((q as { opcode?: string }).opcode !== 'QUERY') return reply(q, RCODE.FORMERR);
    const question = q.questions[0]!;
    const view = this.#d.view();
    if (question.type === 'A' || question.type === 'AAAA') {
      const family = question.type === 'A' ? 4 : 6;
      const r = this.#resolve(view, containerId, question.name.toLowerCase().replace(/\.+$/, ''), family);
      if (r.kind === 'nodata') return reply(q, RCODE.NOERROR);
      if (r.kind === 'found') {
        const ips = rotate(r.ips, this.#turn++);
        return reply(
          q,
          RCODE.NOERROR,
          ips.map((ip) => ({ type: question.type as 'A' | 'AAAA', name: question.name, class: 'IN', ttl: RESP_TTL, data: ip })),
          proto === 'udp' ? udpLimit(q) : 65535,
        );
      }
    } else if (question.type === 'PTR') {
      const ip = addressOfReverseName(question.name);
      const target = ip ? resolveAddress(view, containerId, ip) : undefined;
      if (target) return reply(q, RCODE.NOERROR, [{ type: 'PTR', name: question.name, class: 'IN', ttl: RESP_TTL, data: target }]);
    }
    const policy = this.#d.policy(containerId);
    if (!policy.enabled) return reply(q, RCODE.REFUSED);
    if (policy.servers.length === 0) return reply(q, RCODE.SERVFAIL);
    const upstream = await this.#d.forward(policy.servers, query, proto);
    return upstream ?? reply(q, RCODE.SERVFAIL);
  }
}
