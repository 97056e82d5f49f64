/*
 * The remote-write 1.0 data model (prometheus/prompb types.proto), as the records this exporter
 * hands to the delivery core: one TimeSeries per record.
 */

export interface Label {
  readonly name: string;
  readonly value: string;
}

export interface Sample {
  readonly value: number;
  /** Milliseconds since the Unix epoch (an integer; a fraction is truncated when encoded). */
  readonly timestampMs: number;
}

export interface Exemplar {
  /** `trace_id`, `span_id` and the exemplar's filtered attributes, sorted by name. */
  readonly labels: readonly Label[];
  readonly value: number;
  readonly timestampMs: number;
}

/**
 * One series: its labels (`__name__` among them) sorted by name and unique, and its samples in
 * time order. The mapping produces one sample per series per export.
 */
export interface TimeSeries {
  readonly labels: readonly Label[];
  readonly samples: readonly Sample[];
  readonly exemplars?: readonly Exemplar[];
}
