import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertAllDelivered,
  decodedKeys,
  exporterOptions,
  newScope,
  receiverUrl,
  sendLogs,
  sendMetrics,
  sendSpans,
  storedRequests,
} from './helpers';

/*
 * FAKE natively (otelpack's OTLP receiver fake, official .proto definitions), REAL with
 * OTELPACK_IT_DOCKER=1 (the OpenTelemetry Collector): the SDK through OtlpSpanExporter,
 * OtlpLogRecordExporter and OtlpMetricExporter, in both encodings. Against both, every record
 * is delivered; against the fake, every one is read back decoded, once.
 */

const SENDERS = { traces: sendSpans, logs: sendLogs, metrics: sendMetrics };
const EXPECTED = {
  traces: (n: number) => Array.from({ length: n }, (_, i) => `span ${i}`),
  logs: (n: number) => Array.from({ length: n }, (_, i) => `log ${i}`),
  metrics: (n: number) => Array.from({ length: n }, (_, i) => `s${i}`),
};

describe('OTLP exporter: the SDK into an OTLP/HTTP receiver', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      it(`${signal}, ${encoding}, gzip: every record delivered and decoded once`, async (t) => {
        const receiver = await receiverUrl(t);
        if (!receiver) return;
        const scope = newScope();
        const count = 1_200;
        const { stats } = await SENDERS[signal](
          exporterOptions(receiver.url, scope, { encoding }),
          `it-sdk-${scope}`,
          count,
        );
        assertAllDelivered(stats, count);
        if (!receiver.fake) return;
        const requests = await storedRequests(receiver.url, signal, scope);
        assert.ok(requests.length >= 2, `${count} records in one request: no batching seen`);
        for (const request of requests) {
          assert.equal(request.encoding, encoding);
          assert.equal(request.headers['content-encoding'], 'gzip');
        }
        assert.deepEqual(decodedKeys(signal, requests).sort(), EXPECTED[signal](count).sort());
      });
    }
  }

  it('compression none: the body goes as it is', async (t) => {
    const receiver = await receiverUrl(t);
    if (!receiver) return;
    const scope = newScope();
    const { stats } = await sendSpans(
      exporterOptions(receiver.url, scope, { compression: 'none' }),
      `it-sdk-${scope}`,
      10,
    );
    assertAllDelivered(stats, 10);
    if (!receiver.fake) return;
    const requests = await storedRequests(receiver.url, 'traces', scope);
    assert.ok(requests.every((r) => r.headers['content-encoding'] === undefined));
  });
});
