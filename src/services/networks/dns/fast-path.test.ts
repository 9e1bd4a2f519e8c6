import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { encodeSimpleAnswer, parseSimpleQuery } from './fast-path.ts';

type Decoded = dnsPacket.DecodedPacket & { rcode: string };

function query(name: string, type: 'A' | 'AAAA' | 'PTR' | 'MX', opts: { id?: number; flags?: number; edns?: boolean } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 42,
    flags: opts.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as unknown as dnsPacket.Answer] : [],
  });
}

describe('parseSimpleQuery', () => {
  it('reads a plain A or AAAA question (also with an EDNS OPT record)', () => {
    const q = parseSimpleQuery(query('Web.AppNet', 'A', { id: 7 }));
    assert.deepEqual(q && { id: q.id, rd: q.rd, name: q.name, type: q.type }, { id: 7, rd: true, name: 'web.appnet', type: 'A' });
    assert.equal(parseSimpleQuery(query('db', 'AAAA', { flags: 0, edns: true }))?.rd, false);
    assert.equal(parseSimpleQuery(query('db', 'AAAA', { edns: true }))?.type, 'AAAA');
  });

  it('leaves everything else to the full decoder', () => {
    const cases: [string, Buffer][] = [
      ['PTR', query('2.0.0.10.in-addr.arpa', 'PTR')],
      ['MX', query('web', 'MX')],
      ['opcode NOTIFY', query('web', 'A', { flags: 4 << 11 })],
      ['a response', dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'web' }] })],
      ['two questions', dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'a' }, { type: 'A', name: 'b' }] })],
      ['cut short', query('web', 'A').subarray(0, 16)],
      ['garbage', Buffer.from([1, 2, 3])],
      ['a dot inside a label', query('we\\.b', 'A')],
    ];
    for (const [what, q] of cases) assert.equal(parseSimpleQuery(q), undefined, what);
  });
});

describe('encodeSimpleAnswer', () => {
  it('answers as the full encoder would: same id, question (case kept), flags and records', () => {
    const raw = query('Web', 'A', { id: 99 });
    const sq = parseSimpleQuery(raw)!;
    const d = dnsPacket.decode(encodeSimpleAnswer(raw, sq, ['10.0.0.2', '10.0.0.3'], 600)!) as Decoded;
    assert.equal(d.id, 99);
    assert.equal(d.type, 'response');
    assert.equal(d.rcode, 'NOERROR');
    assert.equal(d.flag_rd, true);
    assert.equal(d.flag_ra, true);
    assert.equal(d.flag_tc, false);
    assert.deepEqual(d.questions, [{ name: 'Web', type: 'A', class: 'IN' }]);
    assert.deepEqual(
      d.answers!.map((a) => [a.name, a.type, (a as { ttl: number }).ttl, (a as { data: unknown }).data]),
      [
        ['Web', 'A', 600, '10.0.0.2'],
        ['Web', 'A', 600, '10.0.0.3'],
      ],
    );
    assert.equal(d.additionals!.length, 0);
  });

  it('AAAA records, no-data, and what does not fit', () => {
    const raw = query('db', 'AAAA', { edns: true });
    const sq = parseSimpleQuery(raw)!;
    const d = dnsPacket.decode(encodeSimpleAnswer(raw, sq, ['2001:db8::1', 'fd00:1:2:3:4:5:6:7'], 600)!) as Decoded;
    assert.deepEqual(
      d.answers!.map((a) => (a as { data: unknown }).data),
      ['2001:db8::1', 'fd00:1:2:3:4:5:6:7'],
    );
    const none = dnsPacket.decode(encodeSimpleAnswer(raw, sq, [], 600)!) as Decoded;
    assert.equal(none.rcode, 'NOERROR');
    assert.equal(none.answers!.length, 0);
    assert.equal(encodeSimpleAnswer(raw, sq, Array.from({ length: 30 }, (_, i) => `2001:db8::${i + 1}`), 600), undefined, 'over 512 bytes');
    assert.equal(encodeSimpleAnswer(raw, sq, ['not-an-address'], 600), undefined);
  });
});
