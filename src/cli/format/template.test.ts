/**
 * Go text/template behaviour, table-driven. Expected outputs were checked against docker CLI 28.2.2 running
 * `inspect -f` over the same data (see src/cli/testing/compare.ts for the harness).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GO_TYPE, parse, parseJsonUseNumber } from './template.ts';

const data = parseJsonUseNumber(
  JSON.stringify({
    Id: 'abc',
    Name: '/x',
    State: { Status: 'running', Pid: 42, Running: true, Health: null },
    Config: { Env: ['A=1', 'B=2'], Labels: { 'com.x': 'y', b: 'c' }, Cmd: ['sh', '-c', 'echo'], ExposedPorts: { '80/tcp': {} } },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, Memory: 1048576 },
    Mounts: [
      { Type: 'bind', Source: '/a', Destination: '/b', RW: true },
      { Type: 'volume', Name: 'v', Source: '/var/v', Destination: '/c', RW: false },
    ],
    NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' }, n1: { IPAddress: '10.0.0.2' } } },
    Num: 1.5,
    Big: 0,
    Empty: '',
    Arr: [],
    Obj: {},
  }).replace(/"Big":\d+/, '"Big":1795437596926875465'),
);

const table: [string, string][] = [
  ['{{.State.Status}}', 'running'],
  ['{{.Config.Env}}', '[A=1 B=2]'],
  ['{{range .Mounts}}{{.Source}} {{end}}', '/a /var/v '],
  ['{{.HostConfig.PortBindings}}', 'map[80/tcp:[{ 8080}]]'],
  ['{{index .Config.Labels "com.x"}}', 'y'],
  ['{{.Config.Labels}}', 'map[b:c com.x:y]'],
  ['{{len .Mounts}}', '2'],
  ['{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}};{{end}}', 'bridge=172.17.0.2;n1=10.0.0.2;'],
  ['{{if .State.Running}}up{{else}}down{{end}}', 'up'],
  ['{{printf "%s-%d" .Name .State.Pid}}', '/x-42'],
  ['{{.HostConfig.Memory}}', '1048576'],
  ['{{join .Config.Cmd " "}}', 'sh -c echo'],
  ['{{upper .Name}}', '/X'],
  ['{{println .Name}}', '/x\n'],
  ['{{.Config.Labels.b}}', 'c'],
  ['{{.Config.Labels.zz}}', '<no value>'],
  ['{{index .Config.Labels "zz"}}', ''],
  ['{{.Config.ExposedPorts}}', 'map[80/tcp:{}]'],
  ['{{.Obj}}', 'map[]'],
  ['{{$x := .Name}}{{$x}}', '/x'],
  ['{{range $i, $e := .Config.Cmd}}{{$i}}:{{$e}} {{end}}', '0:sh 1:-c 2:echo '],
  ['{{with .State}}{{.Pid}}{{end}}', '42'],
  ['{{.Num}}', '1.5'],
  ['{{.Big}}', '1795437596926875465'],
  ['{{if eq .State.Status "running"}}yes{{end}}', 'yes'],
  ['{{title "hello world"}}', 'Hello World'],
  ['{{split "a,b" ","}}', '[a b]'],
  ['{{truncate .Id 2}}', 'ab'],
  ['{{pad .Name 2 3}}|', '  /x   |'],
  ['{{range .Arr}}x{{else}}none{{end}}', 'none'],
  ['{{- .Name -}}', '/x'],
  ['a  {{- .Name -}}  b', 'a/xb'],
  ['{{ .Name }} {{/* c */}}', '/x '],
  ['{{slice .Name 1}}', 'x'],
  ['{{print 1 2 "a" 3}}', '1 2a3'],
  ['{{printf "%5s|%-5s|%05d" "a" "b" 42}}', '    a|b    |00042'],
  ['{{.Name | upper}}', '/X'],
  ['{{.Name | printf "%s!"}}', '/x!'],
  ['{{template "x" .}}{{define "x"}}[{{.Name}}]{{end}}', '[/x]'],
  ['{{range $i, $e := .Mounts}}{{if $i}},{{end}}{{$e.Type}}{{end}}', 'bind,volume'],
  ['{{range .Mounts}}{{if not .RW}}{{break}}{{end}}{{.Type}}{{end}}', 'bind'],
  ['{{ $n := len .Mounts }}{{ if gt $n 1 }}many{{ end }}', 'many'],
  ['{{json .Config.Cmd}}', '["sh","-c","echo"]'],
  ['{{json .Mounts}}', '[{"Type":"bind","Source":"/a","Destination":"/b","RW":true},{"Type":"volume","Name":"v","Source":"/var/v","Destination":"/c","RW":false}]'],
  ['{{.State.Health}}', '<nil>'],
  ['{{and .Empty .Name}}|{{or .Empty .Name}}', '|/x'],
  ['{{if and .State.Running (eq .Name "/x")}}ok{{end}}', 'ok'],
];

describe('template execution', () => {
  for (const [src, want] of table) {
    it(src, () => assert.equal(parse(src).execute(data, { missingKey: 'error' }), want));
  }
});

describe('template errors (Go wording)', () => {
  const errs: [string, string][] = [
    ['{{.Foo}}', 'template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"'],
    ['{{.State.Health.Status}}', 'template: :1:8: executing "" at <.State.Health.Status>: nil pointer evaluating interface {}.Status'],
    ['{{foo .Name}}', 'template: :1: function "foo" not defined'],
    ['{{.Name', 'template: :1: unclosed action'],
    // Go's item.String(): keywords, "." and nil in angle brackets
    ['{{json.}}', 'template: :1: unexpected <.> in operand'],
    ['{{.Name | nil}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{.Name | printf "%s" | 3}}', 'template: :1: non executable command in pipeline stage 3'],
    // a failed call is reported at the whole command, not the function name
    ['{{index .Config.Env 3}}', 'template: :1:2: executing "" at <index .Config.Env 3>: error calling index: index out of range: 3'],
  ];
  for (const [src, msg] of errs) {
    it(src, () => assert.throws(() => parse(src).execute(data, { missingKey: 'error' }), { message: msg }));
  }
});

describe('template objects (formatter contexts)', () => {
  class Ctx {
    readonly [GO_TYPE] = '*formatter.ContainerContext';
    ID(): string {
      return 'abc';
    }
    Label(name: string): string {
      return name === 'k' ? 'v' : '';
    }
    Ports(): string {
      return '0.0.0.0:80->80/tcp';
    }
  }
  it('calls methods, with arguments', () => assert.equal(parse('{{.ID}} {{.Label "k"}}').execute(new Ctx()), 'abc v'));
  it('json marshals zero-argument methods, sorted, HTML-escaped', () =>
    assert.equal(parse('{{json .}}').execute(new Ctx()), '{"ID":"abc","Ports":"0.0.0.0:80-\\u003e80/tcp"}'));
  it('%v of a template object prints its field values in declaration order', () => assert.equal(parse('{{.}}').execute(new Ctx()), '{abc 0.0.0.0:80->80/tcp}'));
  it('unknown fields are errors', () =>
    assert.throws(() => parse('{{.Foo}}').execute(new Ctx()), { message: 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext' }));
});
