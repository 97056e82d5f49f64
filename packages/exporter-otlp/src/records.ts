/*
 * What the delivery core queues for OTLP: one span, one log record or one metric data point,
 * already encoded (protobuf message body, or JSON object text), with the resource and scope it
 * belongs to (and, for a data point, its metric). The encoded resource and scope are made once
 * per SDK object and shared by every record of it, so a request is a cheap concatenation of
 * record bodies grouped under them, and a partial success's count of rejected spans, log records
 * or data points is a count of records.
 */

/** A resource, encoded once: the Resource message (or JSON object) and its schema URL. */
export interface ResourceGroup {
  readonly encoded: Buffer;
  readonly schemaUrl: string;
}

/** An instrumentation scope under its resource, encoded once. */
export interface ScopeGroup {
  readonly resource: ResourceGroup;
  readonly encoded: Buffer;
  readonly schemaUrl: string;
}

/**
 * A metric's fields around its data points: `head` (name, description, unit), the point kind's
 * field, and `tail` (temporality, monotonic) — protobuf fields, or the JSON text before and
 * after the data point list.
 */
export interface MetricGroup {
  readonly scope: ScopeGroup;
  readonly head: Buffer;
  /** Metric's data field: gauge 5, sum 7, histogram 9, exponential_histogram 10. */
  readonly dataField: number;
  readonly tail: Buffer;
}

export interface OtlpRecord {
  readonly scope: ScopeGroup;
  /** Data points only. */
  readonly metric: MetricGroup | undefined;
  /** The span, log record or data point, encoded. */
  readonly body: Uint8Array;
}
