const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

/**
 * A trace id as the reference stores it: lowercase hex, or the empty string when absent or all
 * zeros (the invalid id), so that `TraceId != ''` finds exactly the records that belong to a trace.
 */
export function traceIdText(traceId: string | undefined): string {
  if (!traceId || traceId === ZERO_TRACE_ID) return '';
  return traceId.toLowerCase();
}

export function spanIdText(spanId: string | undefined): string {
  if (!spanId || spanId === ZERO_SPAN_ID) return '';
  return spanId.toLowerCase();
}
