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
export interface TimeSeries extends TimeSeriesV2Fields {
  readonly labels: readonly Label[];
  readonly samples: readonly Sample[];
  readonly exemplars?: readonly Exemplar[];
}

/*
 * Remote write 2.0 (io.prometheus.write.v2) additions, set only when the exporter sends 2.0:
 * metadata and the created timestamp per series, and native histograms.
 */

/** io.prometheus.write.v2.Metadata.MetricType, by name. */
export type MetricTypeName = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info';

export interface SeriesMetadata {
  readonly type: MetricTypeName;
  /** The unit as Prometheus names it (`seconds`, `bytes_per_second`), or ''. */
  readonly unit: string;
  readonly help: string;
}

export interface BucketSpan {
  /** Gap to the previous span, or the first bucket's index for the first span. */
  readonly offset: number;
  readonly length: number;
}

/** A native (exponential) histogram sample with integer counts. */
export interface NativeHistogram {
  readonly count: number;
  readonly sum: number;
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly negativeSpans: readonly BucketSpan[];
  /** Each bucket's count minus the previous bucket's (the first minus 0). */
  readonly negativeDeltas: readonly number[];
  readonly positiveSpans: readonly BucketSpan[];
  readonly positiveDeltas: readonly number[];
  readonly timestampMs: number;
}

/** A series as remote write 2.0 carries it: samples or native histograms, with metadata. */
export interface TimeSeriesV2Fields {
  readonly histograms?: readonly NativeHistogram[];
  readonly metadata?: SeriesMetadata;
  /** When the cumulative series started counting (ms); absent or 0 when unknown. */
  readonly createdTimestampMs?: number;
}
