import type { SpoolCodec } from '@otelpack/batching-core';
import type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from './records';

/*
 * How the disk spool keeps OTLP records: the resources, scopes and metrics an export's records
 * belong to once each, then each record's group indexes and its encoded body. The core's default
 * codec (V8's serialisation) took ~2.4 µs a log record here, most of it in Node's per-Buffer
 * hook, and wrote a resource's and a scope's bytes wherever V8 met them.
 *
 * Layout, integers u32 little-endian:
 *   tag 'O', encoding (1 protobuf, 2 JSON)
 *   resources: count, then per resource: encoded (length, bytes), schemaUrl (length, UTF-8)
 *   scopes:    count, then per scope: resource index, encoded, schemaUrl
 *   metrics:   count, then per metric: scope index, dataField, head, tail
 *   records (as many as the frame says): scope index, metric index + 1 (0: none), body
 *
 * Replayed records of one frame share their group objects, as the mapping's do, so a request
 * groups them as before; records of different frames get their own (a request may then hold one
 * resource twice, which OTLP allows).
 */

const TAG = 0x4f; // 'O'
const ENCODINGS = { protobuf: 1, json: 2 } as const;
export type SpooledEncoding = keyof typeof ENCODINGS;

class PayloadWriter {
  readonly bytes: Buffer;
  pos = 0;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  u32(value: number): void {
    this.bytes.writeUInt32LE(value, this.pos);
    this.pos += 4;
  }

  chunk(value: Uint8Array): void {
    this.u32(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  text(value: string, byteLength: number): void {
    this.u32(byteLength);
    this.pos += this.bytes.write(value, this.pos, byteLength, 'utf8');
  }
}

class PayloadReader {
  pos: number;

  constructor(
    private readonly bytes: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  u32(): number {
    if (this.pos + 4 > this.bytes.length) throw new Error('OTLP spool payload ends early');
    const value = this.bytes.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A view of the payload's copy: the records of a frame share its memory. */
  chunk(): Buffer {
    const length = this.u32();
    if (this.pos + length > this.bytes.length) throw new Error('OTLP spool payload ends early');
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  text(): string {
    return this.chunk().toString('utf8');
  }

  index(count: number, what: string): number {
    const index = this.u32();
    if (index >= count) throw new Error(`OTLP spool payload names ${what} ${index} of ${count}`);
    return index;
  }

  get done(): boolean {
    return this.pos === this.bytes.length;
  }
}

/** Indexes of distinct objects, by identity, in the order first met. */
class Distinct<T> {
  readonly items: T[] = [];
  private readonly indexes = new Map<T, number>();
  private last: T | undefined;
  private lastIndex = -1;

  indexOf(item: T): number {
    // Records of a batch come in runs of one scope: one comparison for most.
    if (item === this.last) return this.lastIndex;
    let index = this.indexes.get(item);
    if (index === undefined) {
      index = this.items.length;
      this.items.push(item);
      this.indexes.set(item, index);
    }
    this.last = item;
    this.lastIndex = index;
    return index;
  }
}

export function otlpSpoolCodec(encoding: SpooledEncoding): SpoolCodec<OtlpRecord> {
  const encodingByte = ENCODINGS[encoding];
  return {
    encode(records) {
      const scopes = new Distinct<ScopeGroup>();
      const metrics = new Distinct<MetricGroup>();
      const scopeOf = new Int32Array(records.length);
      const metricOf = new Int32Array(records.length);
      let size = 2 + 12;
      for (let i = 0; i < records.length; i++) {
        const record = records[i];
        scopeOf[i] = scopes.indexOf(record.scope);
        metricOf[i] = record.metric ? metrics.indexOf(record.metric) + 1 : 0;
        size += 12 + record.body.length;
      }
      const resources = new Distinct<ResourceGroup>();
      const resourceOf = scopes.items.map((scope) => resources.indexOf(scope.resource));
      const schemaBytes = new Map<string, number>();
      const measure = (url: string): number => {
        let bytes = schemaBytes.get(url);
        if (bytes === undefined) schemaBytes.set(url, (bytes = Buffer.byteLength(url, 'utf8')));
        return bytes;
      };
      for (const resource of resources.items) {
        size += 8 + resource.encoded.length + measure(resource.schemaUrl);
      }
      for (const scope of scopes.items)
        size += 12 + scope.encoded.length + measure(scope.schemaUrl);
      for (const metric of metrics.items) size += 16 + metric.head.length + metric.tail.length;

      const out = new PayloadWriter(size);
      out.bytes[0] = TAG;
      out.bytes[1] = encodingByte;
      out.pos = 2;
      out.u32(resources.items.length);
      for (const resource of resources.items) {
        out.chunk(resource.encoded);
        out.text(resource.schemaUrl, measure(resource.schemaUrl));
      }
      out.u32(scopes.items.length);
      scopes.items.forEach((scope, i) => {
        out.u32(resourceOf[i]);
        out.chunk(scope.encoded);
        out.text(scope.schemaUrl, measure(scope.schemaUrl));
      });
      out.u32(metrics.items.length);
      for (const metric of metrics.items) {
        out.u32(scopes.indexOf(metric.scope));
        out.u32(metric.dataField);
        out.chunk(metric.head);
        out.chunk(metric.tail);
      }
      for (let i = 0; i < records.length; i++) {
        out.u32(scopeOf[i]);
        out.u32(metricOf[i]);
        out.chunk(records[i].body);
      }
      if (out.pos !== size) {
        // A bug, never an input problem: refuse to spool what could not be read back.
        throw new Error(`OTLP spool codec wrote ${out.pos} bytes where it measured ${size}`);
      }
      return out.bytes;
    },

    decode(payload, count) {
      // One copy: a record's body, and its groups' bytes, are views of it, and the segment file
      // read at recovery is not kept alive by them.
      const bytes = Buffer.from(payload);
      if (bytes[0] !== TAG) throw new Error('not an OTLP spool payload');
      if (bytes[1] !== encodingByte) {
        const written = Object.keys(ENCODINGS).find(
          (name) => ENCODINGS[name as SpooledEncoding] === bytes[1],
        );
        throw new Error(
          `spooled as OTLP/${written ?? `encoding ${bytes[1]}`}, this exporter sends OTLP/${encoding}`,
        );
      }
      const input = new PayloadReader(bytes, 2);
      const resources: ResourceGroup[] = new Array(input.u32());
      for (let i = 0; i < resources.length; i++) {
        resources[i] = { encoded: input.chunk(), schemaUrl: input.text() };
      }
      const scopes: ScopeGroup[] = new Array(input.u32());
      for (let i = 0; i < scopes.length; i++) {
        const resource = resources[input.index(resources.length, 'resource')];
        scopes[i] = { resource, encoded: input.chunk(), schemaUrl: input.text() };
      }
      const metrics: MetricGroup[] = new Array(input.u32());
      for (let i = 0; i < metrics.length; i++) {
        const scope = scopes[input.index(scopes.length, 'scope')];
        const dataField = input.u32();
        metrics[i] = { scope, dataField, head: input.chunk(), tail: input.chunk() };
      }
      const records: OtlpRecord[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const scope = scopes[input.index(scopes.length, 'scope')];
        const metricIndex = input.index(metrics.length + 1, 'metric');
        const metric = metricIndex === 0 ? undefined : metrics[metricIndex - 1];
        if (metric && metric.scope !== scope) {
          throw new Error(`OTLP spool payload: record ${i + 1}'s metric is of another scope`);
        }
        records[i] = { scope, metric, body: input.chunk() };
      }
      if (!input.done) throw new Error('OTLP spool payload has bytes after its last record');
      return records;
    },
  };
}
