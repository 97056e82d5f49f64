/*
 * OTTL's enum symbols, with OTLP's numbers. Span kinds are OTLP's (UNSPECIFIED = 0), one more
 * than the JavaScript API's SpanKind; the span context's `kind` path converts.
 */
export const ENUMS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
  SEVERITY_NUMBER_UNSPECIFIED: 0,
  ...severities(),
  METRIC_DATA_TYPE_NONE: 0,
  METRIC_DATA_TYPE_GAUGE: 1,
  METRIC_DATA_TYPE_SUM: 2,
  METRIC_DATA_TYPE_HISTOGRAM: 3,
  METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM: 4,
  METRIC_DATA_TYPE_SUMMARY: 5,
};

function severities(): Record<string, number> {
  const out: Record<string, number> = {};
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
    out[`SEVERITY_NUMBER_${name}`] = i * 4 + 1;
    for (let n = 2; n <= 4; n++) out[`SEVERITY_NUMBER_${name}${n}`] = i * 4 + n;
  });
  return out;
}
