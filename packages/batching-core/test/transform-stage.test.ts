import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createTransformStage, defineExporter, defineExporterOptions, mapEach } from '../src';
import type {
  BatchSender,
  ExporterClasses,
  ExportResult,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
  SendResult,
} from '../src';
import { assertLedgerBalances } from '../src/testing';
import { deepFreeze, logRecord, resourceMetrics, span } from './helpers/transform-items';

/*
 * The stage over SDK items: every context's paths, on frozen items (a write to the SDK's object
 * throws), where, drop and errorMode, the function form, and the kit's accounting of each.
 */

function stage(option: unknown) {
  const built = createTransformStage(option, 'test');
  assert.ok(built);
  return built;
}

describe('transform contexts read and write views, never the SDK’s objects', () => {
  it('span: name, attributes, status, kind; resource and scope through their prefixes', () => {
    const shared = { attributes: { 'service.name': 'checkout', 'k8s.pod.ip': '10.0.0.1' } };
    const items = deepFreeze([
      span({
        name: 'GET /cart',
        attributes: { 'http.route': '/cart', user: 'ann' },
        resource: shared,
      }),
      span({ name: 'GET /health', attributes: { 'http.route': '/health' }, resource: shared }),
    ]);
    const result = stage({
      resource: ['delete_key(attributes, "k8s.pod.ip")'],
      span: [
        'set(attributes["route.copy"], attributes["http.route"])',
        'set(name, Concat([resource.attributes["service.name"], name], " "))',
        'set(status.code, STATUS_CODE_ERROR) where attributes["user"] == "ann"',
        'set(attributes["kind"], kind) where kind == SPAN_KIND_SERVER',
        'set(attributes["scope"], instrumentation_scope.name)',
      ],
    }).apply('traces', items);
    const [first, second] = result.items as ReadableSpanLike[];
    assert.equal(first.name, 'checkout GET /cart');
    assert.deepEqual(
      { ...first.attributes },
      {
        'http.route': '/cart',
        user: 'ann',
        'route.copy': '/cart',
        kind: 2,
        scope: 'test-scope',
      },
    );
    assert.equal(first.status.code, 2);
    assert.equal(second.status.code, 0);
    assert.deepEqual({ ...first.resource.attributes }, { 'service.name': 'checkout' });
    // One resource object in, one out: the resource statements ran once for both spans.
    assert.equal(first.resource, second.resource);
    // The view keeps what it did not change, methods included.
    assert.equal(first.spanContext().spanId, 'b7ad6b7169203331');
    assert.deepEqual(first.startTime, [1_700_000_000, 0]);
    // The SDK's objects are as they were.
    assert.equal(items[0].name, 'GET /cart');
    assert.deepEqual(Object.keys(items[0].attributes), ['http.route', 'user']);
    assert.equal(shared.attributes['k8s.pod.ip'], '10.0.0.1');
  });

  it('an item no statement changed is handed on as it was (no copy)', () => {
    const item = deepFreeze(span({ attributes: { a: '1' } }));
    const result = stage({ span: ['set(attributes["b"], "2") where name == "other"'] }).apply(
      'traces',
      [item],
    );
    assert.equal(result.items[0], item);
  });

  it('a written copy shares nothing it could change with the SDK’s item: its attributes, lists and maps are its own', () => {
    // A map value is not an SDK attribute, but a processor before ours may have put one there.
    const given: Record<string, unknown> = { list: ['a', 'b'], nested: { k: 'v' }, plain: '1' };
    const item = deepFreeze(span({ attributes: given as never }));
    const result = stage({
      span: [
        'set(attributes["added"], "x")',
        'set(attributes["nested"]["k"], "w")',
        'set(name, Concat([name, attributes["plain"]], "-")) where attributes["plain"] == "1"',
      ],
    }).apply('traces', [item]);
    const out = result.items[0] as ReadableSpanLike;
    const attributes = out.attributes as Record<string, unknown>;
    const source = item.attributes as unknown as Record<string, unknown>;
    assert.notEqual(attributes, source);
    assert.notEqual(attributes.list, source.list);
    assert.notEqual(attributes.nested, source.nested);
    assert.deepEqual(attributes.list, ['a', 'b']);
    assert.deepEqual(attributes.nested, { k: 'w' });
    // A key set anew goes last, as OTTL's maps append it.
    assert.deepEqual(Object.keys(attributes), ['list', 'nested', 'plain', 'added']);
    assert.equal(out.name, `${item.name}-1`);
    assert.deepEqual(source.nested, { k: 'v' });
    assert.deepEqual(Object.keys(source), ['list', 'nested', 'plain']);
  });

  it('a map set from the SDK’s item is copied: a later write into it leaves the SDK’s objects as they were', () => {
    // Frozen: a write that reached the SDK's object would throw, and the item would fail.
    const item = deepFreeze(span({ attributes: { nested: { k: 'v' }, plain: '1' } as never }));
    const result = stage({
      span: [
        'set(attributes["copy"], attributes["nested"])',
        'set(attributes["copy"]["k"], "w")',
        'set(attributes["all"], resource.attributes)',
        'set(attributes["all"]["service.name"], "changed")',
        'merge_maps(attributes, attributes["nested"], "upsert")',
      ],
      errorMode: 'propagate',
    }).apply('traces', [item]);
    assert.equal(result.failed, 0, result.firstError);
    const out = (result.items[0] as ReadableSpanLike).attributes as Record<string, unknown>;
    assert.deepEqual(out.copy, { k: 'w' });
    assert.equal((out.all as Record<string, unknown>)['service.name'], 'changed');
    assert.equal(out.k, 'v');
    const source = item.attributes as unknown as Record<string, unknown>;
    assert.deepEqual(source.nested, { k: 'v' });
    assert.notEqual(item.resource.attributes['service.name'], 'changed');
  });

  it('editors that write keys keep a `__proto__` key as a key', () => {
    const attributes = JSON.parse(
      '{"__proto__": "a long value", "url.path": "/users/42", "nested": {"x": 1}}',
    ) as Record<string, unknown>;
    const item = deepFreeze(span({ attributes: attributes as never }));
    const result = stage({
      span: [
        'truncate_all(attributes, 6)',
        'replace_all_patterns(attributes, "value", "[0-9]+", "{id}")',
        'flatten(attributes)',
        'set(attributes["made"]["__proto__"], "inner")',
      ],
      errorMode: 'propagate',
    }).apply('traces', [item]);
    assert.equal(result.failed, 0, result.firstError);
    const out = (result.items[0] as ReadableSpanLike).attributes as Record<string, unknown>;
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'a long');
    assert.equal(out['url.path'], '/users');
    assert.equal(out['nested.x'], 1);
    assert.equal(Object.getOwnPropertyDescriptor(out.made, '__proto__')?.value, 'inner');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  it('spanevent: its own name and attributes, and its span’s through span.', () => {
    const item = deepFreeze(
      span({
        name: 'checkout',
        events: [
          { name: 'exception', time: [1, 0], attributes: { 'exception.message': 'card 4111' } },
          { name: 'debug', time: [2, 0], attributes: {} },
        ],
      }),
    );
    const result = stage({
      spanevent: [
        'set(attributes["span"], span.name)',
        'delete_key(attributes, "exception.message")',
        'drop() where name == "debug"',
      ],
    }).apply('traces', [item]);
    const out = result.items[0] as ReadableSpanLike;
    assert.equal(out.events.length, 1);
    assert.deepEqual({ ...out.events[0].attributes }, { span: 'checkout' });
    assert.equal(item.events.length, 2);
    // Dropping a span event is not dropping a record: the span is delivered.
    assert.equal(result.filtered, 0);
  });

  it('log: body (string and map), severity, event name', () => {
    const items = deepFreeze([
      logRecord({ body: 'user=ann password=hunter2', severityNumber: 9 }),
      logRecord({ body: { msg: 'hi', secret: 's' }, severityNumber: 17 }),
    ]);
    const result = stage({
      log: [
        'replace_pattern(body, "password=\\\\S+", "password=***")',
        'delete_key(body, "secret")',
        'set(severity_text, "ERR") where severity_number >= SEVERITY_NUMBER_ERROR',
        'set(attributes["body.msg"], body["msg"])',
      ],
    }).apply('logs', items);
    const [first, second] = result.items as ReadableLogRecordLike[];
    assert.equal(first.body, 'user=ann password=***');
    assert.equal(first.severityText, 'INFO');
    assert.deepEqual(second.body, { msg: 'hi' });
    assert.equal(second.severityText, 'ERR');
    assert.equal(second.attributes['body.msg'], 'hi');
    assert.deepEqual(items[1].body, { msg: 'hi', secret: 's' });
  });

  it('datapoint: attributes and metric.name; drop leaves the point out and counts it', () => {
    const item = deepFreeze(
      resourceMetrics([
        { attributes: { 'http.route': '/cart', 'user.id': 'u1' }, value: 3 },
        { attributes: { 'http.route': '/health' }, value: 9 },
      ]),
    );
    const result = stage({
      datapoint: [
        'delete_key(attributes, "user.id")',
        'drop() where attributes["http.route"] == "/health"',
        'set(attributes["metric"], metric.name)',
      ],
    }).apply('metrics', [item]);
    const out = result.items[0] as ResourceMetricsLike;
    const points = out.scopeMetrics[0].metrics[0].dataPoints;
    assert.equal(points.length, 1);
    assert.deepEqual(
      { ...points[0].attributes },
      { 'http.route': '/cart', metric: 'http.server.requests' },
    );
    assert.equal(result.filtered, 1);
    assert.equal(item.scopeMetrics[0].metrics[0].dataPoints.length, 2);
  });

  it('scope: name and version; a drop in the resource context drops every item under it', () => {
    const kept = { attributes: { 'service.name': 'a' } };
    const gone = { attributes: { 'service.name': 'noisy' } };
    const result = stage({
      resource: ['drop() where attributes["service.name"] == "noisy"'],
      scope: ['set(version, "2.0.0")'],
    }).apply(
      'logs',
      deepFreeze([
        logRecord({ resource: kept }),
        logRecord({ resource: gone }),
        logRecord({ resource: gone }),
      ]),
    );
    assert.equal(result.items.length, 1);
    assert.equal(result.filtered, 2);
    assert.equal((result.items[0] as ReadableLogRecordLike).instrumentationScope.version, '2.0.0');
  });
});

describe('transform where, drop and errorMode', () => {
  const failing = [
    'set(attributes["n"], Int(attributes["n"]) / 0)',
    'set(attributes["after"], "ran")',
  ];

  it('boolean logic in where: and before or, not, parentheses', () => {
    const items = [
      span({ name: 'a', attributes: { x: 1, y: 'no' } }),
      span({ name: 'b', attributes: { x: 2, y: 'yes' } }),
      span({ name: 'c', attributes: { x: 3, y: 'no' } }),
    ];
    const result = stage({
      span: ['drop() where name == "a" or attributes["x"] > 1 and not (attributes["y"] == "yes")'],
    }).apply('traces', items);
    assert.deepEqual(
      (result.items as ReadableSpanLike[]).map((s) => s.name),
      ['b'],
    );
    assert.equal(result.filtered, 2);
  });

  it('ignore (default): the failing statement is skipped for that item, the next ones run', () => {
    const result = stage({ span: failing }).apply('traces', [span({ attributes: { n: 5 } })]);
    assert.equal(result.errors, 1);
    assert.equal(result.failed, 0);
    assert.equal((result.items[0] as ReadableSpanLike).attributes.after, 'ran');
    assert.match(result.firstError ?? '', /attempted to divide by 0/);
  });

  it('ignore says so at WARN once a minute, with the count and an example; silent says nothing', () => {
    const warnings: string[] = [];
    diag.setLogger(
      {
        warn: (message: string) => void warnings.push(message),
        error: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.WARN,
    );
    try {
      const ignoring = stage({ span: failing });
      ignoring.apply('traces', [span({ attributes: { n: 5 } }), span({ attributes: { n: 6 } })]);
      ignoring.apply('traces', [span({ attributes: { n: 7 } })]);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /2 transform statement errors ignored .*attempted to divide by 0/);
      stage({ span: failing, errorMode: 'silent' }).apply('traces', [
        span({ attributes: { n: 5 } }),
      ]);
      assert.equal(warnings.length, 1);
    } finally {
      diag.disable();
    }
  });

  it('silent: as ignore, without the warning', () => {
    const result = stage({ span: failing, errorMode: 'silent' }).apply('traces', [
      span({ attributes: { n: 5 } }),
    ]);
    assert.equal(result.items.length, 1);
    assert.equal(result.errors, 1);
  });

  it('propagate: the item is dropped and counted as failed, the others go on', () => {
    const result = stage({
      span: [`${failing[0]} where attributes["n"] != nil`, failing[1]],
      errorMode: 'propagate',
    }).apply('traces', [span({ attributes: { n: 5 } }), span({ attributes: {} })]);
    assert.equal(result.failed, 1);
    assert.equal(result.items.length, 1);
  });
});

describe('transform as a function', () => {
  it('gets a copy it may change, drops on undefined, fails the item on a throw', () => {
    const items = deepFreeze([
      span({ name: 'keep', attributes: { a: '1' } }),
      span({ name: 'drop' }),
      span({ name: 'throw' }),
    ]);
    const result = stage((item: ReadableSpanLike) => {
      if (item.name === 'drop') return undefined;
      if (item.name === 'throw') throw new Error('boom');
      (item.attributes as Record<string, unknown>).a = 'changed';
      return item;
    }).apply('traces', items);
    assert.equal(result.items.length, 1);
    assert.equal((result.items[0] as ReadableSpanLike).attributes.a, 'changed');
    assert.equal(items[0].attributes.a, '1');
    assert.equal(result.filtered, 1);
    assert.equal(result.failed, 1);
    assert.match(result.firstError ?? '', /boom/);
  });
});

/* The kit: every exporter takes `transform`; drops are in the ledger under their own reasons. */

class MemorySender implements BatchSender<string> {
  readonly sent: string[] = [];
  sizeOf(record: string): number {
    return record.length;
  }
  async send(batch: readonly string[]): Promise<SendResult> {
    this.sent.push(...batch);
    return { kind: 'delivered' };
  }
}

const senders: MemorySender[] = [];
const memory: ExporterClasses<Record<string, unknown>, string, MemorySender> = defineExporter({
  packageName: '@otelpack/transform-test',
  options: defineExporterOptions({ backend: 'memory', own: {} }),
  sender: () => {
    const sender = new MemorySender();
    senders.push(sender);
    return sender;
  },
  traces: () => mapEach((s: ReadableSpanLike) => `${s.name} ${JSON.stringify(s.attributes)}`),
  logs: () => mapEach((l: ReadableLogRecordLike) => String(l.body)),
  metrics: () => ({
    map: (items) => ({
      records: items.flatMap((rm) =>
        rm.scopeMetrics.flatMap((sm) =>
          sm.metrics.flatMap((m) => m.dataPoints.map((p) => JSON.stringify(p.attributes))),
        ),
      ),
      unmapped: [],
    }),
  }),
});

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

function exportSpans(
  exporter: InstanceType<typeof memory.SpanExporter>,
  spans: ReadableSpanLike[],
) {
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
}

describe('the kit’s transform option', () => {
  it('drops are counted filtered, failures transform_error; the ledger balances; redactions are a self-metric', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const exporter = new memory.SpanExporter({
      deliveryMode: 'direct',
      selfObsMeterProvider: meterProvider,
      transform: {
        errorMode: 'propagate',
        span: [
          'drop() where attributes["http.route"] == "/health"',
          'set(attributes["n"], 1 / attributes["d"]) where attributes["d"] != nil',
        ],
        redaction: { summary: 'silent' },
      },
    });
    const result = await exportSpans(exporter, [
      span({ name: 'a', attributes: { 'http.route': '/cart', email: 'ann@example.com' } }),
      span({ name: 'b', attributes: { 'http.route': '/health' } }),
      span({ name: 'c', attributes: { d: 0 } }),
    ]);
    const stats = exporter.stats();
    assert.equal(stats.accepted, 3);
    assert.equal(stats.delivered, 1);
    assert.equal(stats.dropped.filtered, 1);
    assert.equal(stats.dropped.transform_error, 1);
    assertLedgerBalances(stats);
    // A failed item fails the export, as an unmappable one does; a filtered one does not.
    assert.equal(result.code, 1);
    assert.match(result.error?.message ?? '', /1 of 3 items could not be mapped/);
    assert.deepEqual(senders.at(-1)?.sent, ['a {"http.route":"/cart","email":"****"}']);
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const redacted = metrics.find(
      (m) => m.descriptor.name === 'otelpack.exporter.transform.redacted',
    );
    assert.equal(redacted?.dataPoints[0].value, 1);
    const exported = metrics.find((m) => m.descriptor.name === 'otel.sdk.exporter.span.exported');
    const byReason = Object.fromEntries(
      (exported?.dataPoints ?? []).map((p) => [
        String(p.attributes['error.type'] ?? 'ok'),
        p.value,
      ]),
    );
    assert.equal(byReason.filtered, 1);
    assert.equal(byReason.transform_error, 1);
    await exporter.shutdown();
    await meterProvider.shutdown();
  });

  it('an export with only filtered items succeeds', async () => {
    const exporter = new memory.SpanExporter({
      deliveryMode: 'direct',
      transform: { span: ['drop()'] },
    });
    const result = await exportSpans(exporter, [span(), span()]);
    assert.equal(result.code, 0);
    assert.equal(exporter.stats().dropped.filtered, 2);
    assertLedgerBalances(exporter.stats());
    await exporter.shutdown();
  });

  it('metrics: a dropped data point is one filtered record', async () => {
    const exporter = new memory.MetricExporter({
      deliveryMode: 'direct',
      transform: { datapoint: ['drop() where attributes["http.route"] == "/health"'] },
    });
    await new Promise((resolve) =>
      exporter.export(
        resourceMetrics([
          { attributes: { 'http.route': '/a' }, value: 1 },
          { attributes: { 'http.route': '/health' }, value: 1 },
        ]),
        resolve,
      ),
    );
    assert.equal(exporter.stats().dropped.filtered, 1);
    assert.equal(exporter.stats().delivered, 1);
    assertLedgerBalances(exporter.stats());
    await exporter.shutdown();
  });

  it('a bad statement is a construction error of the exporter, with the statement and the column', () => {
    assert.throws(
      () =>
        new memory.LogRecordExporter({ transform: { log: ['set(attributes["a"], Nope(body))'] } }),
      /transform\.log\[0\]: unknown converter 'Nope' .* at column 22 of "set\(attributes\[\\"a\\"\], Nope\(body\)\)"/,
    );
  });

  it('the function form, with the same accounting', async () => {
    const exporter = new memory.LogRecordExporter({
      deliveryMode: 'direct',
      transform: (item: unknown) =>
        (item as ReadableLogRecordLike).body === 'drop me' ? undefined : item,
    });
    await new Promise((resolve) =>
      exporter.export([logRecord({ body: 'drop me' }), logRecord({ body: 'keep' })], resolve),
    );
    assert.equal(exporter.stats().dropped.filtered, 1);
    assert.deepEqual(senders.at(-1)?.sent, ['keep']);
    assertLedgerBalances(exporter.stats());
    await exporter.shutdown();
  });
});

describe('views over SDK classes', () => {
  it('a field behind a getter and a read-only setter is overridden on the view, the setter never called', () => {
    let setterCalls = 0;
    class SdkLogRecord {
      private _body: unknown = 'user=ann password=hunter2';
      readonly attributes = { a: '1' };
      readonly resource = { attributes: {} };
      readonly instrumentationScope = { name: 's' };
      readonly hrTime = [1, 0];
      readonly hrTimeObserved = [1, 0];
      readonly droppedAttributesCount = 0;
      get body(): unknown {
        return this._body;
      }
      set body(value: unknown) {
        // As the SDK's: an emitted record is read-only.
        setterCalls++;
        void value;
      }
    }
    const record = new SdkLogRecord();
    const result = stage({
      log: [
        'replace_pattern(body, "password=\\\\S+", "password=***")',
        'set(attributes["b"], "2")',
      ],
    }).apply('logs', [record as unknown as ReadableLogRecordLike]);
    const out = result.items[0] as ReadableLogRecordLike;
    assert.equal(out.body, 'user=ann password=***');
    assert.deepEqual({ ...out.attributes }, { a: '1', b: '2' });
    assert.equal(record.body, 'user=ann password=hunter2');
    assert.deepEqual(record.attributes, { a: '1' });
    assert.equal(setterCalls, 0);
  });
});

describe('changed items are copies of the SDK’s class, not objects inheriting from the SDK’s item', () => {
  /*
   * V8 turns an object used as a prototype into a slow dictionary: an SDK span made the prototype
   * of its view would be slow for every other processor and exporter that reads it afterwards.
   */
  it('a span class: same prototype, own fields copied, methods and getters working, source apart', () => {
    class SdkSpan {
      name = 'GET /cart';
      kind = 1;
      attributes = { 'http.route': '/cart', 'client.address': '10.0.0.1' };
      resource = { attributes: { 'service.name': 'checkout' } };
      instrumentationScope = { name: 'http' };
      events = [];
      links = [];
      status = { code: 0 };
      startTime = [1, 0];
      endTime = [2, 0];
      private _spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
      private _droppedAttributesCount = 3;
      spanContext() {
        return this._spanContext;
      }
      get droppedAttributesCount() {
        return this._droppedAttributesCount;
      }
    }
    const item = new SdkSpan();
    const result = stage({
      span: [
        'set(attributes["env"], "production")',
        'delete_key(attributes, "client.address")',
        'set(name, "checkout")',
      ],
    }).apply('traces', [item as unknown as ReadableSpanLike]);
    const out = result.items[0] as ReadableSpanLike & SdkSpan;
    assert.equal(Object.getPrototypeOf(out), SdkSpan.prototype);
    assert.equal(Object.prototype.isPrototypeOf.call(item, out), false);
    assert.equal(out.name, 'checkout');
    assert.deepEqual(Object.keys(out.attributes), ['http.route', 'env']);
    assert.equal(out.spanContext().spanId, 'b'.repeat(16));
    assert.equal(out.droppedAttributesCount, 3);
    assert.deepEqual(out.endTime, [2, 0]);
    assert.equal(item.name, 'GET /cart');
    assert.deepEqual(Object.keys(item.attributes), ['http.route', 'client.address']);
  });
});
