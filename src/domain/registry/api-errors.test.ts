import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goTlsAlert } from './api-errors.ts';

describe('goTlsAlert', () => {
  const cases: [string, string | undefined][] = [
    // what Node reports when a registry wants a client certificate and gets none (TLS 1.3)
    [
      '402307A7797F0000:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 42\n',
      'remote error: tls: bad certificate',
    ],
    ['…:ssl/tls alert certificate required:…:SSL alert number 116', 'remote error: tls: certificate required'],
    ['…:sslv3 alert handshake failure:…:SSL alert number 40', 'remote error: tls: handshake failure'],
    ['…:tlsv1 alert protocol version:…:SSL alert number 70', 'remote error: tls: protocol version not supported'],
    ['…:SSL alert number 250', 'remote error: tls: alert(250)'],
    ['connect ECONNREFUSED 127.0.0.1:5000', undefined],
    ['wrong version number', undefined],
  ];
  for (const [msg, want] of cases) {
    it(`${JSON.stringify(msg.slice(-40))} → ${want ?? 'none'}`, () => {
      assert.equal(goTlsAlert(msg), want);
    });
  }
});
