import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonCompact, jsonIndent } from './json-indent.ts';

describe('json.Indent / json.Compact', () => {
  it('keeps key order, number literals and escapes; empty containers stay compact', () => {
    const src = '[{"b":1.0,"a":"x\\u003cy\\"z","e":{},"f":[],"n":null,"t":1e+06,"arr":[1,{"k":true}]}]';
    assert.equal(
      jsonIndent(src),
      '[\n    {\n        "b": 1.0,\n        "a": "x\\u003cy\\"z",\n        "e": {},\n        "f": [],\n        "n": null,\n        "t": 1e+06,\n        "arr": [\n            1,\n            {\n                "k": true\n            }\n        ]\n    }\n]',
    );
    assert.equal(jsonCompact('{ "a" : [ 1 , 2 ],\n "b" : "x y" }'), '{"a":[1,2],"b":"x y"}');
  });
});
