/*
 * The DogStatsD datagram format, as the Agent parses it (DataDog/datadog-agent
 * comp/dogstatsd/server/parse.go and its tests): `<name>:<value>[:<value>…]|<type>` followed by
 * optional fields in any order, each after a `|`: `@<sample rate>`, `#<tag>,<tag>`,
 * `T<unix seconds>` (gauges and counts only), `c:<container id>`. Several metrics share a datagram,
 * one per line.
 */

import { textSpoolCodec } from '@otelpack/batching-core';
import type { SpoolCodec } from '@otelpack/batching-core';

/** DogStatsD metric types this exporter sends. */
export type DogStatsDType = 'c' | 'g' | 'd';

/** One DogStatsD line, and its UTF-8 length (what packing and the core's byte limits count). */
export interface MetricLine {
  line: string;
  bytes: number;
}

export interface LineFields {
  name: string;
  value: number;
  type: DogStatsDType;
  /** Already sanitised (`sanitizeTag`). */
  tags: readonly string[];
  /** `(0, 1]`; a distribution value with rate 1/n stands for n values. */
  sampleRate?: number;
  /** Unix seconds; only for `g` and `c`. */
  timestampS?: number;
}

/**
 * `:` ends a name and `|`, newlines end a field or a line: each becomes `_`, as hot-shots does.
 * The Datadog backend applies its own metric-name rules after that.
 */
export function sanitizeMetricName(name: string): string {
  return name.replace(/[:|\r\n]/g, '_');
}

/**
 * A tag as the Agent can split it: `,` separates tags and `|`, newlines end the field, so each
 * becomes `_`; in the key, a `:` would move the key/value split, so it becomes `_` too. A tag
 * whose value is empty becomes `key:n/a` (Datadog tags cannot end with `:`; the translator's rule).
 * Datadog keeps at most 200 characters of a tag; longer ones are cut here, where the line's
 * length is known.
 */
export function sanitizeTag(key: string, value: string): string {
  const safeKey = key.replace(/[:|,\r\n]/g, '_');
  const safeValue = value === '' ? 'n/a' : value.replace(/[|,\r\n]/g, '_');
  const tag = `${safeKey}:${safeValue}`;
  return tag.length > MAX_TAG_CHARS ? tag.slice(0, MAX_TAG_CHARS) : tag;
}

export const MAX_TAG_CHARS = 200;

/**
 * A number as DogStatsD reads it (Go's ParseFloat takes JavaScript's forms, exponents included).
 * NaN and infinities have no DogStatsD form: the mapping drops them before this.
 */
export function formatValue(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

export function encodeLine(fields: LineFields): MetricLine {
  let line = `${fields.name}:${formatValue(fields.value)}|${fields.type}`;
  if (fields.sampleRate !== undefined && fields.sampleRate < 1) line += `|@${fields.sampleRate}`;
  if (fields.tags.length > 0) line += `|#${fields.tags.join(',')}`;
  if (fields.timestampS !== undefined) line += `|T${fields.timestampS}`;
  return { line, bytes: Buffer.byteLength(line) };
}

/** The spool keeps a line as its text; its length is measured again on replay. */
export const metricLineSpoolCodec: SpoolCodec<MetricLine> = textSpoolCodec(
  (record) => record.line,
  (line) => ({ line, bytes: Buffer.byteLength(line) }),
);

/** Lines grouped into datagrams of at most `maxBytes`; a longer line is left out and named. */
export interface PackedDatagrams {
  datagrams: { payload: string; indexes: number[] }[];
  tooLarge: number[];
}

/**
 * Packs lines in order into newline-separated datagrams no longer than `maxBytes`, as the Agent
 * reads them: each datagram remembers which lines it holds, so a failed send names its records.
 */
export function packDatagrams(lines: readonly MetricLine[], maxBytes: number): PackedDatagrams {
  const datagrams: PackedDatagrams['datagrams'] = [];
  const tooLarge: number[] = [];
  let parts: string[] = [];
  let indexes: number[] = [];
  let size = 0;
  const close = () => {
    if (parts.length === 0) return;
    datagrams.push({ payload: parts.join('\n'), indexes });
    parts = [];
    indexes = [];
    size = 0;
  };
  lines.forEach((line, index) => {
    if (line.bytes > maxBytes) {
      tooLarge.push(index);
      return;
    }
    const added = parts.length === 0 ? line.bytes : line.bytes + 1;
    if (size + added > maxBytes) close();
    size += parts.length === 0 ? line.bytes : line.bytes + 1;
    parts.push(line.line);
    indexes.push(index);
  });
  close();
  return { datagrams, tooLarge };
}
