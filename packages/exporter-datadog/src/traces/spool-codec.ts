import { SpoolLayout, SpoolTable, recordsWrittenByV8, setOwnField } from '@otelpack/batching-core';
import type { SpoolCodec, SpoolPayloadWriter } from '@otelpack/batching-core';
import type { DdSpan, TraceRecord } from './mapping';

/*
 * The trace sender's spool codec. Without it a TraceRecord went through the core's default codec
 * (V8's serialisation: nested objects and BigInts), which walks every span's meta and metrics
 * maps with a tag per value and writes each repeated key, service and name again.
 *
 * Layout (SpoolPayloadWriter: counts and lengths as varints):
 *
 *   u8 'D', u8 format version 1
 *   per record:
 *     u64 LE trace_id, span_id, parent_id; i64 LE start, duration; u8 error
 *     string name, resource, service, type
 *     uv meta count, then per entry: string key, string value
 *     uv metrics count, then per entry: string key, f64 LE value
 *     uv bytes (the sender's size estimate, as mapped)
 *
 * A string is a varint `r`: 0 is a new string whose UTF-8 follows, 1 a new string whose UTF-16
 * code units follow (text with a lone surrogate, which UTF-8 cannot hold and @msgpack/msgpack
 * writes as its three bytes: a replayed span must encode to the same msgpack), each the next
 * entry of the export's string table; r > 1 is the table's entry r - 2. Keys, services and names
 * repeat from span to span; each is written once per export, in the one pass that writes them.
 */

const LAYOUT = new SpoolLayout('Datadog trace', 0x44); // 'D'
/** Past this the writer grows as it goes: a huge export does not take it all up front. */
const MAX_EXPECTED_BYTES = 4 * 1024 * 1024;
/** A span's fixed fields, and room for its meta (most strings are table references). */
const EXPECTED_BYTES_PER_SPAN = 160;

const NEW_UTF8 = 0;
const NEW_UTF16 = 1;
const FIRST_REF = 2;

class StringRefs {
  private readonly table = new SpoolTable<string>();
  /*
   * The string written at each position of the previous span (its name, its n-th meta key...)
   * and its table entry: spans of one kind carry the same keys in the same order, mostly the
   * same string objects, and an identity check spares the map's lookup.
   */
  private readonly previous: string[] = [];
  private readonly previousIndex: number[] = [];
  private position = 0;

  constructor(private readonly out: SpoolPayloadWriter) {}

  /** The next span's strings are compared with this one's from position 0. */
  nextSpan(): void {
    this.position = 0;
  }

  write(text: string): void {
    const position = this.position++;
    if (position < this.previous.length && this.previous[position] === text) {
      this.out.uv(this.previousIndex[position] + FIRST_REF);
      return;
    }
    const known = this.table.items.length;
    const index = this.table.indexOf(text);
    if (index < known) {
      this.out.uv(index + FIRST_REF);
    } else {
      if ((text as string & { isWellFormed(): boolean }).isWellFormed()) {
        this.out.uv(NEW_UTF8);
        this.out.text(text);
      } else {
        this.out.uv(NEW_UTF16);
        this.out.bytes(Buffer.from(text, 'utf16le'));
      }
    }
    // Positions grow one at a time: an assignment at the length appends.
    this.previous[position] = text;
    this.previousIndex[position] = index;
  }
}

export const traceRecordSpoolCodec: SpoolCodec<TraceRecord> = {
  encode(records) {
    const out = LAYOUT.writer(
      Math.min(MAX_EXPECTED_BYTES, 64 + EXPECTED_BYTES_PER_SPAN * records.length),
    );
    const strings = new StringRefs(out);
    for (const { span, bytes } of records) {
      strings.nextSpan();
      out.u64(span.trace_id);
      out.u64(span.span_id);
      out.u64(span.parent_id);
      out.i64(span.start);
      out.i64(span.duration);
      out.u8(span.error);
      strings.write(span.name);
      strings.write(span.resource);
      strings.write(span.service);
      strings.write(span.type);
      const metaKeys = Object.keys(span.meta);
      out.uv(metaKeys.length);
      for (const key of metaKeys) {
        strings.write(key);
        strings.write(span.meta[key]);
      }
      const metricKeys = Object.keys(span.metrics);
      out.uv(metricKeys.length);
      for (const key of metricKeys) {
        strings.write(key);
        out.f64(span.metrics[key]);
      }
      out.uv(bytes);
    }
    return out.finish();
  },

  decode(payload, count) {
    // A spool written before this codec (the core's default codec: V8's serialisation of
    // these records) is replayed as it was written: an upgrade loses nothing it held.
    const earlier = recordsWrittenByV8<TraceRecord>(payload, count, checkTraceRecord);
    if (earlier) return earlier;
    const input = LAYOUT.reader(payload);
    const table: string[] = [];
    const text = (): string => {
      const ref = input.uv();
      if (ref === NEW_UTF8 || ref === NEW_UTF16) {
        const utf16 = ref === NEW_UTF16 ? input.bytesView() : undefined;
        if (utf16 && utf16.length % 2 !== 0) throw new Error('an odd number of UTF-16 bytes');
        const fresh = utf16 ? utf16.toString('utf16le') : input.text();
        table.push(fresh);
        return fresh;
      }
      const index = ref - FIRST_REF;
      if (index >= table.length) {
        throw new Error(`spool payload names string ${index} of ${table.length}`);
      }
      return table[index];
    };
    const records: TraceRecord[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const traceId = input.u64();
      const spanId = input.u64();
      const parentId = input.u64();
      const start = input.i64();
      const duration = input.i64();
      const error = input.u8();
      if (error > 1) throw new Error(`a spooled span's error flag is ${error}`);
      const name = text();
      const resource = text();
      const service = text();
      const type = text();
      const meta: Record<string, string> = {};
      for (let n = input.uv(); n > 0; n--) setOwnField(meta, text(), text());
      const metrics: Record<string, number> = {};
      for (let n = input.uv(); n > 0; n--) setOwnField(metrics, text(), input.f64());
      // The field order of mapSpan's literal: the same shape as a freshly mapped span.
      const span: DdSpan = {
        trace_id: traceId,
        span_id: spanId,
        parent_id: parentId,
        name,
        resource,
        service,
        type,
        error: error as 0 | 1,
        start,
        duration,
        meta,
        metrics,
      };
      records[i] = { span, bytes: input.uv() };
    }
    input.end();
    return records;
  },
};

/**
 * A record V8 wrote (the core's default codec, before this one), checked to be a trace record
 * before it is replayed: records of another shape (a spool directory another exporter wrote)
 * would fail each request they joined.
 */
function checkTraceRecord(value: unknown): void {
  const span = (value as TraceRecord | undefined)?.span;
  if (
    typeof span?.trace_id !== 'bigint' ||
    typeof span.start !== 'bigint' ||
    typeof span.meta !== 'object' ||
    typeof span.metrics !== 'object'
  ) {
    throw new Error('a spooled record that is not a Datadog trace record');
  }
}
