import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimestamp, isFullRecord, parseRecord, parseRfc3339Nano, parseUnixTimestamp } from './record.ts';

describe('k8s-file records', () => {
  const times: [string, bigint | undefined][] = [
    ['2026-11-23T12:38:03.522353823+00:00', 1795437483522353823n],
    ['2026-11-23T13:38:03.522353823+01:00', 1795437483522353823n],
    ['2026-11-23T12:38:03.5Z', 1795437483500000000n],
    ['2026-11-23T07:08:03Z', 1795417683000000000n],
    ['2026-11-23 12:38:03Z', undefined],
  ];
  for (const [s, ns] of times) it(`parses time ${s}`, () => assert.equal(parseRfc3339Nano(s), ns));

  it('formats as dockerd does', () => {
    assert.equal(formatTimestamp(1795437483522353823n), '2026-11-23T12:38:03.522353823Z');
    assert.equal(formatTimestamp(1795437483000000001n), '2026-11-23T12:38:03.000000001Z');
  });

  it('parses since/until values', () => {
    assert.equal(parseUnixTimestamp('1795437414'), 1795437414000000000n);
    assert.equal(parseUnixTimestamp('1795437414.5'), 1795437414500000000n);
    assert.equal(parseUnixTimestamp('1795437414.000000001'), 1795437414000000001n);
    assert.equal(parseUnixTimestamp('abc'), undefined);
  });

  const records: { line: string; want: ReturnType<typeof parseRecord> }[] = [
    {
      line: '2026-11-23T12:38:03.522353823+00:00 stdout F hello-out',
      want: { stream: 'stdout', timeNs: 1795437483522353823n, partial: false, data: Buffer.from('hello-out\n') },
    },
    {
      line: '2026-11-23T12:38:03.522353823+00:00 stderr P part',
      want: { stream: 'stderr', timeNs: 1795437483522353823n, partial: true, data: Buffer.from('part') },
    },
    {
      line: '2026-11-23T12:38:03.522353823+00:00 stdout F ',
      want: { stream: 'stdout', timeNs: 1795437483522353823n, partial: false, data: Buffer.from('\n') },
    },
    {
      line: '2026-11-23T12:38:03.522353823+00:00 stdout F  two  spaces ',
      want: { stream: 'stdout', timeNs: 1795437483522353823n, partial: false, data: Buffer.from(' two  spaces \n') },
    },
    { line: 'garbage', want: undefined },
    { line: '2026-11-23T12:38:03Z stdin F x', want: undefined },
    { line: '2026-11-23T12:38:03Z stdout X x', want: undefined },
  ];
  for (const r of records) it(`parses ${JSON.stringify(r.line)}`, () => assert.deepEqual(parseRecord(Buffer.from(r.line)), r.want));

  it('keeps non-UTF-8 bytes', () => {
    const line = Buffer.concat([Buffer.from('2026-11-23T12:38:03Z stdout F '), Buffer.from([0xff, 0xfe, 0x00])]);
    assert.deepEqual(parseRecord(line)?.data, Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
  });

  it('tells F from P cheaply', () => {
    assert.equal(isFullRecord(Buffer.from('t stdout F x')), true);
    assert.equal(isFullRecord(Buffer.from('t stdout P x')), false);
  });
});
