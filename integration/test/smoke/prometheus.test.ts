import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compress } from 'snappyjs';
import { backendUrl } from '../../src/env';
import { instantQuery, uniqueMetricName } from '../../src/protocols/promql';
import {
  encodeWriteRequest,
  postRemoteWrite,
  remoteWriteBody,
} from '../../src/protocols/remote-write';
import type { RemoteWriteSeries } from '../../src/protocols/remote-write';

/*
 * REAL backend: Prometheus with --web.enable-remote-write-receiver (Debian package natively, or
 * the compose service). A hand-made remote-write request is stored and readable at once; broken
 * or unstorable requests get 400 with Prometheus' reason as plain text.
 */

const ID = 'prometheus';
const HOUR_MS = 3_600_000;

function oneSample(name: string, value: number, timestampMs: number): RemoteWriteSeries[] {
  return [
    {
      labels: [
        { name: '__name__', value: name },
        { name: 'instance', value: 'smoke-1' },
        { name: 'job', value: 'otelpack-smoke' },
      ],
      samples: [{ value, timestampMs }],
    },
  ];
}

function write(url: string, series: RemoteWriteSeries[]) {
  return postRemoteWrite(`${url}/api/v1/write`, remoteWriteBody(series));
}

test('a valid remote-write request is stored and readable at once', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const name = uniqueMetricName('otelpack_smoke_prom');
  const timestampMs = Date.now();

  const answer = await write(url, oneSample(name, 12345.678, timestampMs));
  assert.equal(answer.status, 204, `write answered: ${answer.text}`);

  // No polling: Prometheus appends to its in-memory head before it answers.
  const result = await instantQuery(url, name, timestampMs);
  assert.deepEqual(result, [
    {
      metric: { __name__: name, instance: 'smoke-1', job: 'otelpack-smoke' },
      value: [timestampMs / 1000, '12345.678'],
    },
  ]);
});

/*
 * Prometheus decodes the body before storing anything; a failure there is 400 with the
 * decoder's own message (write_handler.go answers every decode error with http.StatusBadRequest).
 */
const valid = encodeWriteRequest(oneSample('otelpack_smoke_prom_never_stored', 1, Date.now()));
const invalidBodies: { name: string; body: Buffer; reason: RegExp }[] = [
  {
    name: 'corrupt snappy (compressed body cut in half)',
    body: compress(valid).subarray(0, Math.floor(compress(valid).length / 2)),
    reason: /snappy: corrupt input/,
  },
  { name: 'not compressed at all (raw protobuf)', body: valid, reason: /snappy: corrupt input/ },
  {
    name: 'valid snappy around a truncated protobuf',
    body: compress(valid.subarray(0, valid.length - 5)),
    reason: /unexpected EOF/,
  },
];

for (const { name, body, reason } of invalidBodies) {
  test(`invalid input is refused with 400: ${name}`, async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const answer = await postRemoteWrite(`${url}/api/v1/write`, body);
    assert.equal(answer.status, 400, `answered: ${answer.text}`);
    assert.match(answer.text, reason);
  });
}

/*
 * Why a sample 3 h old is refused: without an out-of-order window (the default), the TSDB head
 * accepts only timestamps from (newest sample in the head − 1 h, half the 2 h block range)
 * onwards. Older ones fail with ErrOutOfBounds, which the remote-write handler answers with 400
 * "out of bounds" and drops — a permanent error a sender must not retry. The bound is relative
 * to the newest stored sample, not the clock: an empty Prometheus takes any timestamp, so the
 * test first writes a sample at now to fix the bound.
 */
test('a sample far in the past is refused with 400 "out of bounds" and not stored', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const now = Date.now();
  const recent = await write(url, oneSample(uniqueMetricName('otelpack_smoke_prom_now'), 1, now));
  assert.equal(recent.status, 204, `recent sample answered: ${recent.text}`);

  const name = uniqueMetricName('otelpack_smoke_prom_old');
  const oldMs = now - 3 * HOUR_MS;
  const old = await write(url, oneSample(name, 7, oldMs));
  assert.equal(old.status, 400, `old sample answered: ${old.text}`);
  assert.match(old.text, /out of bounds/);
  assert.deepEqual(await instantQuery(url, name, oldMs), []);
});

/*
 * Within the accepted window, a series still only moves forward: an older sample on a series
 * that has a newer one is ErrOutOfOrderSample, also 400. The exporter must therefore send each
 * series' samples in time order and never resend an older point after a newer one succeeded.
 */
test('an older sample on a series with a newer one is refused with 400 "out of order sample"', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const name = uniqueMetricName('otelpack_smoke_prom_order');
  const now = Date.now();
  assert.equal((await write(url, oneSample(name, 2, now))).status, 204);

  const older = await write(url, oneSample(name, 1, now - 10_000));
  assert.equal(older.status, 400, `older sample answered: ${older.text}`);
  assert.match(older.text, /out of order sample/);
  const result = await instantQuery(url, name, now);
  assert.deepEqual(
    result.map((series) => series.value),
    [[now / 1000, '2']],
  );
});
