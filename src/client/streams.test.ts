import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Demuxer, jsonMessages } from './streams.ts';

function frame(t: number, s: string): Buffer {
  const p = Buffer.from(s);
  const h = Buffer.alloc(8);
  h[0] = t;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
}

describe('Demuxer', () => {
  it('splits frames across arbitrary chunk boundaries', () => {
    const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, '')]);
    for (let cut = 0; cut <= all.length; cut++) {
      const got: string[] = [];
      const d = new Demuxer((s, p) => got.push(`${s}:${p}`));
      d.push(all.subarray(0, cut));
      d.push(all.subarray(cut));
      assert.deepEqual(got, ['1:out\n', '2:err\n', '1:']);
      assert.equal(d.pending, 0);
    }
  });
  it('rejects garbage headers', () => {
    const d = new Demuxer(() => {});
    assert.throws(() => d.push(Buffer.from('HTTP/1.1 200 OK\r\n')), /Unrecognized input header/);
  });
});

describe('jsonMessages', () => {
  it('parses \\r\\n separated, split and concatenated values', async () => {
    const src = Readable.from(['{"a":1}\r\n{"b":', '"x}"}\r\n', '{"c":[1,2]}{"d":true}', '\n']);
    const got: unknown[] = [];
    for await (const m of jsonMessages(src)) got.push(m);
    assert.deepEqual(got, [{ a: 1 }, { b: 'x}' }, { c: [1, 2] }, { d: true }]);
  });
});
