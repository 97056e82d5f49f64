import { mapEach } from '@otelpack/batching-core';
import type {
  InstrumentationScopeLike,
  ItemMapping,
  MappedItems,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
  UnmappedItem,
} from '@otelpack/batching-core';
import type { OtlpCodec } from './codec';
import type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from './records';

/**
 * The resource and scope groups of the records, encoded once per SDK object: the SDK hands the
 * same Resource and InstrumentationScope objects with every span of a tracer, so a span costs
 * only its own encoding. Weak maps: a provider that is dropped takes its entries with it.
 */
export class GroupCache {
  private readonly resources = new WeakMap<ResourceLike, ResourceGroup>();
  private readonly scopes = new WeakMap<
    ResourceGroup,
    WeakMap<InstrumentationScopeLike, ScopeGroup>
  >();

  /** The last pair asked for: the spans of one export mostly share it, and it spares two lookups. */
  private lastResource: ResourceLike | undefined;
  private lastScope: InstrumentationScopeLike | undefined;
  private lastGroup: ScopeGroup | undefined;

  constructor(private readonly codec: OtlpCodec) {}

  resource(resource: ResourceLike): ResourceGroup {
    let group = this.resources.get(resource);
    if (!group) {
      group = { encoded: this.codec.resource(resource), schemaUrl: resource.schemaUrl ?? '' };
      this.resources.set(resource, group);
    }
    return group;
  }

  scope(resource: ResourceLike, scope: InstrumentationScopeLike): ScopeGroup {
    if (resource === this.lastResource && scope === this.lastScope) return this.lastGroup!;
    const resourceGroup = this.resource(resource);
    let scopes = this.scopes.get(resourceGroup);
    if (!scopes) this.scopes.set(resourceGroup, (scopes = new WeakMap()));
    let group = scopes.get(scope);
    if (!group) {
      group = {
        resource: resourceGroup,
        encoded: this.codec.scope(scope),
        schemaUrl: scope.schemaUrl ?? '',
      };
      scopes.set(scope, group);
    }
    this.lastResource = resource;
    this.lastScope = scope;
    this.lastGroup = group;
    return group;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Spans → one record each. A span the encoder throws on is unmapped, with why. */
export function spanMapping(codec: OtlpCodec): ItemMapping<ReadableSpanLike, OtlpRecord> {
  const groups = new GroupCache(codec);
  return mapEach((span) => ({
    scope: groups.scope(span.resource, span.instrumentationScope),
    metric: undefined,
    body: codec.span(span),
  }));
}

/** Log records → one record each. */
export function logMapping(codec: OtlpCodec): ItemMapping<ReadableLogRecordLike, OtlpRecord> {
  const groups = new GroupCache(codec);
  return mapEach((log) => ({
    scope: groups.scope(log.resource, log.instrumentationScope),
    metric: undefined,
    body: codec.log(log),
  }));
}

/**
 * Metrics → one record per data point, under its metric: a partial success counts rejected
 * data points, and a record per point makes that count a count of records.
 */
export function metricMapping(codec: OtlpCodec): ItemMapping<ResourceMetricsLike, OtlpRecord> {
  const groups = new GroupCache(codec);
  return {
    map(collections): MappedItems<OtlpRecord> {
      const records: OtlpRecord[] = [];
      const unmapped: UnmappedItem[] = [];
      for (const collection of collections) {
        for (const scopeMetrics of collection.scopeMetrics) {
          const scope = groups.scope(collection.resource, scopeMetrics.scope);
          for (const metric of scopeMetrics.metrics) {
            let group: MetricGroup;
            try {
              group = { scope, ...codec.metric(metric) };
            } catch (error) {
              for (const point of metric.dataPoints) {
                unmapped.push({ item: { metric, point }, detail: messageOf(error) });
              }
              continue;
            }
            for (const point of metric.dataPoints) {
              try {
                records.push({ scope, metric: group, body: codec.point(metric, point) });
              } catch (error) {
                unmapped.push({ item: { metric, point }, detail: messageOf(error) });
              }
            }
          }
        }
      }
      return { records, unmapped };
    },
  };
}
