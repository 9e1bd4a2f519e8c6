import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TabWriter, displayWidth, tabulate } from './tabwriter.ts';

describe('tabwriter (minwidth 10, padding 3)', () => {
  const table: [string, string][] = [
    ['A\tB\tC\n1\t2\t3\n', 'A         B         C\n1         2         3\n'],
    ['CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox:latest\tx\n', 'CONTAINER ID   IMAGE            NAMES\nabc            busybox:latest   x\n'],
    // the last cell of a line is not padded
    ['a\tbbbbbbbbbbbbbb\n', 'a         bbbbbbbbbbbbbb\n'],
    // a line without tabs ends the column block
    ['a\tb\nplain line\nlonger-cell\tz\n', 'a         b\nplain line\nlonger-cell   z\n'],
    // empty cells still pad
    ['\tx\nyy\tz\n', '          x\nyy        z\n'],
    // wide runes count two columns
    ['日本語\tx\nab\ty\n', '日本語    x\nab        y\n'],
    ['no newline at end\tx', 'no newline at end   x'],
  ];
  for (const [input, want] of table) it(JSON.stringify(input), () => assert.equal(tabulate(input), want));

  it('other settings (docker top: minwidth 20)', () => {
    const w = new TabWriter(20, 3);
    w.write('UID\tPID\nroot\t1\n');
    assert.equal(w.flush(), 'UID                 PID\nroot                1\n');
  });
  it('display width', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('日本'), 4);
    assert.equal(displayWidth('e\u0301'), 1);
  });
});
