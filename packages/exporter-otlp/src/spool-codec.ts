import { SpoolLayout, SpoolTable, recordsWrittenByV8 } from '@otelpack/batching-core';
import type { SpoolCodec } from '@otelpack/batching-core';
import type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from './records';

/*
 * How the disk spool keeps OTLP records: the resources, scopes and metrics an export's records
 * belong to once each, then each record's group indexes and its encoded body. The core's default
 * codec (V8's serialisation) took ~2.4 µs a log record here, most of it in Node's per-Buffer
 * hook, and wrote a resource's and a scope's bytes wherever V8 met them.
 *
 * Layout (SpoolPayloadWriter: counts, indexes and lengths as varints):
 *   tag 'O', format version 1, encoding (1 protobuf, 2 JSON)
 *   resources: count, then per resource: encoded (length, bytes), schemaUrl (length, UTF-8)
 *   scopes:    count, then per scope: resource index, encoded, schemaUrl
 *   metrics:   count, then per metric: scope index, dataField, head, tail
 *   records (as many as the frame says): scope index, metric index + 1 (0: none), body
 *
 * Replayed records of one frame share their group objects, as the mapping's do, so a request
 * groups them as before; records of different frames get their own (a request may then hold one
 * resource twice, which OTLP allows).
 */

const LAYOUT = new SpoolLayout('OTLP', 0x4f); // 'O'
const JSON_OBJECT_START = 0x7b; // '{': an OTLP/JSON body; no OTLP protobuf message begins so
const ENCODINGS = { protobuf: 1, json: 2 } as const;
export type SpooledEncoding = keyof typeof ENCODINGS;

export function otlpSpoolCodec(encoding: SpooledEncoding): SpoolCodec<OtlpRecord> {
  const encodingByte = ENCODINGS[encoding];
  return {
    encode(records) {
      const scopes = new SpoolTable<ScopeGroup>();
      const metrics = new SpoolTable<MetricGroup>();
      const scopeOf = new Int32Array(records.length);
      const metricOf = new Int32Array(records.length);
      let bodyBytes = 0;
      for (let i = 0; i < records.length; i++) {
        const record = records[i];
        scopeOf[i] = scopes.indexOf(record.scope);
        metricOf[i] = record.metric ? metrics.indexOf(record.metric) + 1 : 0;
        bodyBytes += record.body.length;
      }
      const scopeCount = scopes.items.length;
      const resources = new SpoolTable<ResourceGroup>();
      const resourceOf = scopes.items.map((scope) => resources.indexOf(scope.resource));

      const out = LAYOUT.writer(1024 + 8 * records.length + bodyBytes);
      out.u8(encodingByte);
      out.uv(resources.items.length);
      for (const resource of resources.items) {
        out.bytes(resource.encoded);
        out.text(resource.schemaUrl);
      }
      out.uv(scopes.items.length);
      scopes.items.forEach((scope, i) => {
        out.uv(resourceOf[i]);
        out.bytes(scope.encoded);
        out.text(scope.schemaUrl);
      });
      out.uv(metrics.items.length);
      for (const metric of metrics.items) {
        const scope = scopes.indexOf(metric.scope);
        // A frame that could not be read back must not be written: the core keeps the export
        // in memory instead, and says why.
        if (scope >= scopeCount) {
          throw new Error('an OTLP record whose metric belongs to another scope than its own');
        }
        out.uv(scope);
        out.uv(metric.dataField);
        out.bytes(metric.head);
        out.bytes(metric.tail);
      }
      for (let i = 0; i < records.length; i++) {
        out.uv(scopeOf[i]);
        out.uv(metricOf[i]);
        out.bytes(records[i].body);
      }
      return out.finish();
    },

    decode(payload, count) {
      // A spool written before this codec (the core's default codec: V8's serialisation of
      // these records) is replayed as it was written: an upgrade loses nothing it held.
      const earlier = recordsWrittenByV8<OtlpRecord>(payload, count, (record) =>
        checkOtlpRecord(record, encoding),
      );
      if (earlier) return earlier;
      // Bodies and groups' bytes are views of the reader's one copy of the payload; after the
      // layout's header, one byte says the encoding.
      const input = LAYOUT.reader(payload, 1);
      const written = input.byteAt(2);
      if (written !== encodingByte) throw encodingMismatch(written, encoding);
      const resources: ResourceGroup[] = new Array(input.uv());
      for (let i = 0; i < resources.length; i++) {
        resources[i] = { encoded: input.bytesView(), schemaUrl: input.text() };
      }
      const scopes: ScopeGroup[] = new Array(input.uv());
      for (let i = 0; i < scopes.length; i++) {
        const resource = resources[input.index(resources.length, 'resource')];
        scopes[i] = { resource, encoded: input.bytesView(), schemaUrl: input.text() };
      }
      const metrics: MetricGroup[] = new Array(input.uv());
      for (let i = 0; i < metrics.length; i++) {
        const scope = scopes[input.index(scopes.length, 'scope')];
        const dataField = input.uv();
        metrics[i] = { scope, dataField, head: input.bytesView(), tail: input.bytesView() };
      }
      const records: OtlpRecord[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const scope = scopes[input.index(scopes.length, 'scope')];
        const metricIndex = input.index(metrics.length + 1, 'metric');
        const metric = metricIndex === 0 ? undefined : metrics[metricIndex - 1];
        if (metric && metric.scope !== scope) {
          throw new Error(`OTLP spool payload: record ${i + 1}'s metric is of another scope`);
        }
        records[i] = { scope, metric, body: input.bytesView() };
      }
      input.end();
      return records;
    },
  };
}

function encodingMismatch(written: number | undefined, encoding: SpooledEncoding): Error {
  const name = Object.keys(ENCODINGS).find((key) => ENCODINGS[key as SpooledEncoding] === written);
  return new Error(
    `spooled as OTLP/${name ?? `encoding ${written}`}, this exporter sends OTLP/${encoding}`,
  );
}

const isBytes = (value: unknown): boolean => value instanceof Uint8Array;

/**
 * A record V8 wrote (the core's default codec, before this one), checked to be an OTLP record of
 * this encoding before it is replayed: records of another shape (a spool directory another
 * exporter wrote) or of the other encoding would fail each request they joined.
 */
function checkOtlpRecord(value: unknown, encoding: SpooledEncoding): void {
  const record = value as OtlpRecord | undefined;
  const scope = record?.scope;
  const metric = record?.metric;
  if (
    !isBytes(record?.body) ||
    !isBytes(scope?.encoded) ||
    !isBytes(scope?.resource?.encoded) ||
    (metric !== undefined && (!isBytes(metric.head) || !isBytes(metric.tail)))
  ) {
    throw new Error('a spooled record that is not an OTLP record');
  }
  const json = (record as OtlpRecord).body[0] === JSON_OBJECT_START;
  if (json !== (encoding === 'json')) {
    throw encodingMismatch(ENCODINGS[json ? 'json' : 'protobuf'], encoding);
  }
}
