import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { OutStream } from '../context.ts';
import { JsonMessageError, displayJsonMessages, progressString } from './jsonmessage.ts';

function sink(isTTY: boolean): OutStream & { text: string } {
  const s = {
    text: '',
    write(c: string | Uint8Array) {
      s.text += c.toString();
    },
    isTTY,
    size: (): [number, number] => (isTTY ? [40, 120] : [0, 0]),
    stream: process.stdout,
    drain: () => Promise.resolve(),
  };
  return s;
}

const PULL = [
  '{"status":"Pulling from library/busybox","id":"latest"}',
  '{"status":"Pulling fs layer","progressDetail":{},"id":"b57aa649765e"}',
  '{"status":"Downloading","progressDetail":{"current":65536,"total":4065909},"progress":"[>  ]","id":"b57aa649765e"}',
  '{"status":"Pull complete","progressDetail":{},"id":"b57aa649765e"}',
  '{"status":"Digest: sha256:e772"}',
  '{"status":"Status: Downloaded newer image for busybox:latest"}',
].join('\r\n');

describe('JSON progress rendering', () => {
  it('non-terminal: status lines, progress bars skipped', async () => {
    const out = sink(false);
    await displayJsonMessages(Readable.from([PULL]), out);
    assert.equal(
      out.text,
      'latest: Pulling from library/busybox\nb57aa649765e: Pulling fs layer\nb57aa649765e: Pull complete\nDigest: sha256:e772\nStatus: Downloaded newer image for busybox:latest\n',
    );
  });
  it('terminal: lines per layer, rewritten in place', async () => {
    const out = sink(true);
    await displayJsonMessages(Readable.from([PULL]), out);
    assert.ok(out.text.includes('\n\x1b[1A\x1b[2K\rb57aa649765e: Pulling fs layer \r\x1b[1B'), JSON.stringify(out.text));
    assert.ok(out.text.includes('b57aa649765e: Downloading [>                                                  ]  65.54kB/4.066MB\r'));
  });
  it('errorDetail ends the stream with that message', async () => {
    await assert.rejects(
      displayJsonMessages(Readable.from(['{"status":"x"}\n{"errorDetail":{"message":"boom"},"error":"boom"}\n']), sink(false)),
      (e: Error) => e instanceof JsonMessageError && e.message === 'boom',
    );
  });
  it('progress string', () => {
    assert.equal(progressString({ current: 2000000, total: 4000000 }, 200), '[=========================>                         ]      2MB/4MB');
    assert.equal(progressString({ current: 1500 }, 80), '   1.5kB');
    assert.equal(progressString({}, 200), '');
  });
});
