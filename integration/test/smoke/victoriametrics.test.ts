import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compress } from 'snappyjs';
import { backendUrl } from '../../src/env';
import { pollInstantQuery, uniqueMetricName } from '../../src/protocols/promql';
import {
  encodeWriteRequest,
  postRemoteWrite,
  remoteWriteBody,
} from '../../src/protocols/remote-write';
import type { RemoteWriteSeries } from '../../src/protocols/remote-write';

/*
 * REAL backend: VictoriaMetrics single-node (Debian package natively, or the compose service).
 * Proves the harness is honest: a hand-made remote-write request is stored and read back with
 * PromQL, and broken requests get VictoriaMetrics' documented 400.
 */

const ID = 'victoriametrics';

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

/**
 * New rows sit in an in-memory buffer until a periodic flush (about 1 s); /internal/force_flush
 * pushes them out, and they become searchable shortly after.
 */
async function flush(url: string): Promise<void> {
  const response = await fetch(`${url}/internal/force_flush`, {
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(response.status, 200, 'GET /internal/force_flush');
  await response.arrayBuffer();
}

test('a valid remote-write request is stored and read back with its value and labels', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const name = uniqueMetricName('otelpack_smoke_vm');
  const timestampMs = Date.now();

  const write = await postRemoteWrite(
    `${url}/api/v1/write`,
    remoteWriteBody(oneSample(name, 12345.678, timestampMs)),
  );
  assert.equal(write.status, 204, `write answered: ${write.text}`);
  await flush(url);

  const result = await pollInstantQuery(url, name, { timeMs: timestampMs, timeoutMs: 10_000 });
  assert.deepEqual(
    result.map((series) => ({ metric: series.metric, value: series.value[1] })),
    [
      {
        metric: { __name__: name, instance: 'smoke-1', job: 'otelpack-smoke' },
        value: '12345.678',
      },
    ],
  );
});

/*
 * A body VictoriaMetrics cannot decode gets 400 and a plain-text reason naming the stage that
 * failed (decompressing, then unmarshalling). 400 is what a sender must not retry: the
 * remote-write spec has senders retry 5xx and 429 only. Each case is a mistake a real client
 * could make.
 */
const valid = encodeWriteRequest(oneSample('otelpack_smoke_vm_never_stored', 1, Date.now()));
const invalidBodies: { name: string; body: Buffer; reason: RegExp }[] = [
  {
    name: 'corrupt snappy (compressed body cut in half)',
    body: compress(valid).subarray(0, Math.floor(compress(valid).length / 2)),
    reason: /cannot decompress request.*snappy: corrupt input/,
  },
  {
    name: 'not compressed at all (raw protobuf)',
    body: valid,
    reason: /cannot decompress request.*snappy: corrupt input/,
  },
  {
    name: 'valid snappy around a truncated protobuf',
    body: compress(valid.subarray(0, valid.length - 5)),
    reason: /cannot unmarshal prompb\.WriteRequest/,
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
