/**
 * Malformed requests for the robustness test: a seeded generator, so a failure can be replayed with its seed.
 *
 *  - `api`: well-formed HTTP that the API must refuse: bad JSON, wrong types, unknown ids, bad filters, bad
 *    versions, unknown routes. The answer must be a 4xx with Content-Type application/json and {"message": …}.
 *  - `proto`: broken HTTP (garbage, bad headers, huge headers, truncated bodies). The answer must be a 4xx status
 *    line or a closed connection; a timeout is tolerated only where the client half-closed mid-request.
 *  - `pipelined`: a good `GET /_ping` followed by garbage: the first answer must still be 200.
 */
export interface Case {
  kind: 'api' | 'proto' | 'pipelined';
  desc: string;
  pieces: (string | Uint8Array)[];
  halfClose?: boolean;
}

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VERSIONS = ['', '/v1.41', '/v1.44', '/v1.47'];

function request(method: string, path: string, body?: string | Uint8Array, headers: Record<string, string> = {}): string | Uint8Array {
  const h: Record<string, string> = { Host: 'api.moby.localhost', 'User-Agent': 'berth-robustness', Connection: 'close', ...headers };
  if (body !== undefined && !('Content-Length' in h) && !('Transfer-Encoding' in h)) h['Content-Length'] = String(Buffer.byteLength(body));
  if (body !== undefined && !('Content-Type' in h)) h['Content-Type'] = 'application/json';
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(h)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  if (body === undefined) return head;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}

export function makeCases(seed: number, count: number): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(0, 255));
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const weirdId = () =>
    pick([
      hex(64),
      hex(12),
      `nosuch-${hex(6)}`,
      encodeURIComponent(`../../${hex(4)}`),
      '%00',
      encodeURIComponent('ünïcödé-名前'),
      `x${'y'.repeat(int(1, 200))}`,
      encodeURIComponent(`a b\tc"d'e`),
      `sha256:${hex(64)}`,
    ]);
  const v = () => pick(VERSIONS);

  const badJson = () =>
    pick(['{', '{"Image":', '[1,2', '}{', '{"a":1,}', "{'Image':'bb'}", '{"Image":"bb"', 'nul', '\u0000\u0001', '[', '"unterminated', '{"Image":"bb",,}', '[]', '"str"', '123', 'true']);
  const wrongTypes = [
    '{"Image":123}',
    '{"Image":"bb","Cmd":{"a":1}}',
    '{"Image":"bb","Env":"FOO=bar"}',
    '{"Image":"bb","Env":[1,2]}',
    '{"Image":"bb","Tty":"yes"}',
    '{"Image":"bb","ExposedPorts":["80/tcp"]}',
    '{"Image":"bb","Labels":["a=b"]}',
    '{"Image":"bb","HostConfig":{"Memory":"lots"}}',
    '{"Image":"bb","HostConfig":{"PortBindings":[]}}',
    '{"Image":"bb","HostConfig":{"Binds":"a:/b"}}',
    '{"Image":"bb","HostConfig":{"RestartPolicy":{"Name":"bogus"}}}',
    '{"Image":"bb","HostConfig":{"RestartPolicy":"always"}}',
    '{"Image":"bb","HostConfig":"x"}',
    '{"Image":["bb"]}',
    '{"Image":"nosuchimage-robustness:1"}',
    '{"Image":""}',
    'null',
  ];
  const filterGarbage = () =>
    encodeURIComponent(
      pick([
        '{bad',
        '[1,2]',
        '"str"',
        '{"status":{"bogus":true}}',
        '{"nokey":{"x":true}}',
        '{"label":"notamap"}',
        '{"status":123}',
        `{"${'k'.repeat(int(1, 50))}":{"v":true}}`,
        '{"dangling":{"maybe":true}}',
      ]),
    );

  const api: (() => Case)[] = [
    () => {
      const body = badJson();
      const path = pick(['/containers/create', '/networks/create', '/volumes/create', '/containers/create?name=rb1']);
      return { kind: 'api', desc: `POST ${path} bad JSON ${JSON.stringify(body)}`, pieces: [request('POST', `${v()}${path}`, body)] };
    },
    () => {
      const body = pick(wrongTypes);
      return { kind: 'api', desc: `create with ${body}`, pieces: [request('POST', `${v()}/containers/create`, body)] };
    },
    () => {
      const id = weirdId();
      const [m, p, body] = pick([
        ['GET', `/containers/${id}/json`],
        ['GET', `/containers/${id}/logs?stdout=1`],
        ['GET', `/containers/${id}/top`],
        ['GET', `/containers/${id}/changes`],
        ['POST', `/containers/${id}/start`],
        ['POST', `/containers/${id}/stop?t=1`],
        ['POST', `/containers/${id}/kill`],
        ['POST', `/containers/${id}/restart`],
        ['POST', `/containers/${id}/pause`],
        ['POST', `/containers/${id}/wait`],
        ['POST', `/containers/${id}/resize?h=10&w=10`],
        ['POST', `/containers/${id}/rename?name=new${hex(4)}`],
        ['POST', `/containers/${id}/exec`, '{"Cmd":["true"]}'],
        ['DELETE', `/containers/${id}?force=1`],
        ['GET', `/images/${id}/json`],
        ['GET', `/images/${id}/history`],
        ['DELETE', `/images/${id}`],
        ['POST', `/images/${id}/tag?repo=x&tag=y`],
        ['GET', `/networks/${id}`],
        ['DELETE', `/networks/${id}`],
        ['POST', `/networks/${id}/connect`, '{"Container":"nosuch"}'],
        ['GET', `/volumes/${id}`],
        ['DELETE', `/volumes/${id}`],
        ['GET', `/exec/${id}/json`],
        ['POST', `/exec/${id}/start`, '{"Detach":true}'],
        ['POST', `/exec/${id}/resize?h=1&w=1`],
      ] as [string, string, string?][]);
      return { kind: 'api', desc: `${m} ${p} (unknown id)`, pieces: [request(m, `${v()}${p}`, body ?? (m === 'POST' ? '' : undefined))] };
    },
    () => {
      const path = pick(['/containers/json', '/images/json', '/networks', '/volumes']);
      const f = filterGarbage();
      return { kind: 'api', desc: `GET ${path}?filters=${decodeURIComponent(f)}`, pieces: [request('GET', `${v()}${path}?filters=${f}`)] };
    },
    () => {
      const name = pick(['bad/name', 'a b', '-lead', '/', '..', `x${'!'.repeat(int(1, 5))}`]);
      return { kind: 'api', desc: `create ?name=${name}`, pieces: [request('POST', `${v()}/containers/create?name=${encodeURIComponent(name)}`, '{"Image":"bb","Cmd":["true"]}')] };
    },
    () => {
      const ver = pick(['/v9.99', '/v1.99', '/v0.1', '/v1.0', '/v1.1']);
      return { kind: 'api', desc: `version ${ver}`, pieces: [request('GET', `${ver}/containers/json`)] };
    },
    () => {
      const [m, p] = pick([
        ['GET', `/nope/${hex(4)}`],
        ['GET', '/containers'],
        ['PUT', '/containers/json'],
        ['PATCH', '/images/json'],
        ['DELETE', '/_ping'],
        ['GET', `/v1.47/${hex(8)}`],
        ['POST', '/containers/json'],
      ] as [string, string][]);
      return { kind: 'api', desc: `${m} ${p} (no such route)`, pieces: [request(m, p, m === 'GET' ? undefined : '')] };
    },
    () => ({
      kind: 'api',
      desc: 'create with Content-Type text/plain',
      pieces: [request('POST', `${v()}/containers/create`, '{"Image":"bb"}', { 'Content-Type': 'text/plain' })],
    }),
    () => {
      const depth = int(1000, 50_000);
      return { kind: 'api', desc: `create with JSON nested ${depth} deep`, pieces: [request('POST', `${v()}/containers/create`, '['.repeat(depth) + ']'.repeat(depth))] };
    },
  ];

  const proto: (() => Case)[] = [
    () => ({ kind: 'proto', desc: 'random bytes, then half-close', pieces: [bytes(int(1, 2000))], halfClose: true }),
    () => {
      const line = pick(['GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'BREW /_ping HTTP/1.1\r\nHost: x\r\n\r\n', '\r\n\r\n\r\n', ' / HTTP/1.1\r\n\r\n']);
      return { kind: 'proto', desc: `request line ${JSON.stringify(line)}`, pieces: [line], halfClose: true };
    },
    () => {
      const h = pick([
        'NoColonHere\r\n',
        'Bad Name: x\r\n',
        'X-Nul: a\0b\r\n',
        'Content-Length: abc\r\n',
        'Content-Length: -1\r\n',
        'Content-Length: 5\r\nContent-Length: 6\r\n',
        'Transfer-Encoding: gzip\r\n',
        'Transfer-Encoding: chunked\r\nContent-Length: 3\r\n',
        `X-Big: ${'a'.repeat(int(20_000, 200_000))}\r\n`,
        Array.from({ length: int(500, 3000) }, (_, i) => `X-H${i}: ${i}\r\n`).join(''),
      ]);
      // a chunked body of "{}" is itself malformed: a server may wait for more, so the client half-closes
      const halfClose = h.includes('chunked');
      return { kind: 'proto', desc: `bad header ${JSON.stringify(h.slice(0, 60))}`, pieces: [`POST /v1.47/containers/create HTTP/1.1\r\nHost: x\r\n${h}\r\n{}`], halfClose };
    },
    () => ({
      kind: 'proto',
      desc: 'bad chunk size',
      pieces: ['POST /v1.47/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    }),
    () => {
      const full = request('POST', `${v()}/containers/create`, '{"Image":"bb","Cmd":["sleep","1000"]}');
      const cut = Buffer.from(full).subarray(0, int(5, Buffer.byteLength(full) - 2));
      return { kind: 'proto', desc: `request cut after ${cut.length} bytes, then half-close`, pieces: [cut], halfClose: true };
    },
    () => ({
      kind: 'proto',
      desc: 'chunked body without its last chunk, then half-close',
      pieces: ['POST /v1.47/images/load HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n'],
      halfClose: true,
    }),
    () => ({
      kind: 'proto',
      desc: 'huge URL',
      pieces: [`GET /v1.47/containers/${'a'.repeat(int(10_000, 100_000))}/json HTTP/1.1\r\nHost: x\r\n\r\n`],
    }),
  ];

  const pipelined = (): Case => ({
    kind: 'pipelined',
    desc: 'GET /_ping, then garbage on the same connection',
    pieces: [`GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n${pick(['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', Buffer.from(bytes(64)).toString('latin1')])}`],
  });

  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    out.push(x < 0.62 ? pick(api)() : x < 0.97 ? pick(proto)() : pipelined());
  }
  return out;
}
