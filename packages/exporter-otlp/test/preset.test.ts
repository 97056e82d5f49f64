import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OTLP_OPTIONS, presetConfig } from '../src';

/** A preset's vendor endpoint and header, over options resolved as any exporter's. */
function config(options: object, compression?: 'none') {
  const resolved = OTLP_OPTIONS.resolve(
    { ...options, ...(compression ? { compression } : {}) },
    'traces',
  );
  return presetConfig(resolved, {
    url: new URL('https://vendor.example/v1/traces'),
    path: '/v1/traces',
    headers: { 'api-key': 'k' },
  });
}

describe('presetConfig', () => {
  const table: [string, object, string[]][] = [
    ['no url: the vendor endpoint', {}, ['https://vendor.example/v1/traces']],
    [
      'a url without a path: the vendor path added',
      { url: 'http://collector:4318' },
      ['http://collector:4318/v1/traces'],
    ],
    ['a url with a path: used as it is', { url: 'http://gw:8080/in' }, ['http://gw:8080/in']],
    [
      'a list, for failover: each the same way',
      { url: ['http://a:4318', 'http://b:4318/x'] },
      ['http://a:4318/v1/traces', 'http://b:4318/x'],
    ],
  ];
  for (const [what, options, expected] of table) {
    it(what, () =>
      assert.deepEqual(
        config(options).endpoints.map((e) => e.url.href),
        expected,
      ),
    );
  }

  it('protobuf, gzip unless told otherwise, the vendor headers, credentials kept out of display', () => {
    const gzip = config({ url: 'http://user:secret@collector:4318' });
    assert.equal(gzip.encoding, 'protobuf');
    assert.equal(gzip.compression, 'gzip');
    assert.deepEqual(gzip.headers, { 'api-key': 'k' });
    assert.ok(!gzip.endpoints[0].display.includes('secret'));
    assert.equal(config({}, 'none').compression, 'none');
  });
});
