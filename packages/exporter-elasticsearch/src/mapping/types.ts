import type { UnmappedItem } from '@otelpack/batching-core';
import type { JsonObject, ValueLimits } from './json-value';

/**
 * - `otel`: the OpenTelemetry Collector's `otel` mapping mode (OTel-native documents into
 *   `*.otel-*` data streams);
 * - `ecs`: Elastic Common Schema field names;
 * - `raw`: flat `Attributes.*`, `Resource.*`, `Scope.*` fields, as the Collector's `none` mode.
 */
export type MappingMode = 'otel' | 'ecs' | 'raw';
export const MAPPING_MODES: readonly MappingMode[] = ['otel', 'ecs', 'raw'];

export type IndexDateSuffix = 'none' | 'daily' | 'monthly';
export const INDEX_DATE_SUFFIXES: readonly IndexDateSuffix[] = ['none', 'daily', 'monthly'];

export type DataStreamType = 'traces' | 'logs' | 'metrics';

/** Everything the pure mapping functions need to know, resolved from the exporter's options. */
export interface MappingSettings {
  mode: MappingMode;
  /** A fixed index (or data stream) for every document; turns attribute routing off. */
  index: string | undefined;
  /** Honour the `elasticsearch.index` and `data_stream.*` attributes. */
  routeByAttributes: boolean;
  /** Data stream dataset and namespace when no attribute names them. */
  dataset: string;
  namespace: string;
  /** Appended to plain (non data stream) index names, from each document's own time (UTC). */
  indexDateSuffix: IndexDateSuffix;
  /** Document ids that make a resend of the same record a no-op (409) instead of a duplicate. */
  deterministicIds: boolean;
  limits: ValueLimits;
}

export interface DataStreamName {
  type: DataStreamType;
  dataset: string;
  namespace: string;
}

/** Where a document goes. */
export interface Target {
  index: string;
  /** Set when `index` is a data stream: documents then carry `data_stream.*`. */
  dataStream: DataStreamName | undefined;
}

/**
 * JSON text that many documents end with (the `otel` documents' data_stream, resource and
 * scope members, and the closing brace), with its UTF-8 made once. It is the core's SharedPart
 * of every record that ends with it: the queue counts it once while any of them is held.
 */
export interface SharedJsonTail {
  readonly text: string;
  readonly bytes: Uint8Array;
  /** `bytes.length`: what each record's wire size has of it. */
  readonly wireBytes: number;
  /** What it holds in memory (sharedJsonTail). */
  readonly heldBytes: number;
}

/**
 * A document's JSON as the members of its own and the tail it shares with others: encoding
 * copies the tail's bytes after the head's, where one string of both was first flattened (a copy
 * of the tail into each document's text, and garbage) and then encoded again for each document.
 * The two encoded apart are the whole's UTF-8, and hash as the whole, because no surrogate pair
 * spans the join: the tail starts with `,` or `}`, and heads hold no lone surrogate (cleaned).
 */
export interface SplitJson {
  readonly head: string;
  readonly tail: SharedJsonTail;
}

/** One document as the mapping produced it, before serialisation. */
export interface BulkDocument {
  target: Target;
  /** A fixed document id; see `hashId` for ids derived from content. */
  id: string | undefined;
  /** Derive the id from the serialised document (logs and metrics with deterministic ids). */
  hashId: boolean;
  /**
   * Whether a 409 (document exists) for this document means this very document is stored:
   * true with deterministic ids, which come from the record's identity or content.
   */
  conflictMeansStored: boolean;
  /**
   * Bound for a time series data stream, whose ids Elasticsearch derives from the dimensions and
   * the timestamp: a 409 there means a document of the same series and time exists, which is
   * this one only when this exporter sent it before (a retry after a lost answer).
   */
  timeSeries: boolean;
  /** The bulk action's `dynamic_templates` (field path → template name). */
  dynamicTemplates: Record<string, string> | undefined;
  /** The document's JSON when the mapping wrote it as text (otherwise `document` is serialised). */
  json?: string;
  /** The same text in its two parts, when the mapping wrote it so (`json` is then their join). */
  split?: SplitJson;
  /** The document as an object; where `json` is given, built only when read. */
  document: JsonObject;
}

/** What mapping one SDK item came to: its documents, and parts that could not be mapped. */
export interface MappingResult {
  documents: BulkDocument[];
  /** One line per data point or value that was left out, with why. */
  /** Data points that make no document (with their metric), and why. */
  invalid: UnmappedItem[];
}
