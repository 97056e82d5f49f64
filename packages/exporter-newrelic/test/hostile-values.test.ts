import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { FaultSink, doublingValue, selfReferringValue } from '@otelpack/batching-core/testing';
import { decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import { NewRelicLogRecordExporter } from '../src';

/*
 * Bad input (issue 11): a log body or attribute that refers to itself, or that doubles at every
 * level, reaches New Relic bounded (the core's boundedValue, through exporter-otlp's protobuf
 * writer) instead of recursing without end or expanding exponentially.
 */

let sink: FaultSink;
before(async () => {
  sink = await FaultSink.start({ decodeRecords: (body) => [decodeProtobufRequest('logs', body)] });
});
after(async () => sink.close());

it('a log record whose body and attributes refer to themselves is delivered with the markers', async () => {
  const exporter = new NewRelicLogRecordExporter({ url: sink.url, flushIntervalMs: 10 });
  const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
  provider.getLogger('l').emit({
    body: selfReferringValue() as never,
    attributes: { self: selfReferringValue() as never, doubling: doublingValue() as never },
  });
  await provider.shutdown();
  assert.equal(exporter.stats().delivered, 1);
  const text = JSON.stringify(sink.records);
  assert.ok(text.includes('[circular]'));
  assert.ok(text.length < 50_000_000, `${text.length} characters`);
});
