import type { OtlpCodec } from './codec';

/**
 * A codec that behaves as `codec` except where `overrides` says otherwise: the form every preset's
 * change to the encoding takes (resource defaults, a time window, a vendor's attribute limits), so
 * that they stack in any order and none has to repeat the codec's whole interface.
 */
export function decorateCodec(codec: OtlpCodec, overrides: Partial<OtlpCodec>): OtlpCodec {
  return {
    contentType: overrides.contentType ?? codec.contentType,
    resource: overrides.resource ?? ((resource) => codec.resource(resource)),
    scope: overrides.scope ?? ((scope) => codec.scope(scope)),
    span: overrides.span ?? ((span) => codec.span(span)),
    log: overrides.log ?? ((log) => codec.log(log)),
    metric: overrides.metric ?? ((metric) => codec.metric(metric)),
    point: overrides.point ?? ((metric, point) => codec.point(metric, point)),
    request:
      overrides.request ??
      ((records, signal, allocate) => codec.request(records, signal, allocate)),
    recordSize: overrides.recordSize ?? ((record) => codec.recordSize(record)),
  };
}
