import type { ResourceLike } from '@otelpack/batching-core';
import type { AnyValueMap } from '@otelpack/batching-core';
import {
  INTRINSIC_ATTRIBUTES,
  MAX_EVENT_ATTRIBUTES,
  MAX_METRIC_ATTRIBUTES,
  NEW_RELIC_ATTRIBUTE_LIMITS,
  limitAttributes,
} from './attributes';
import type { AttributeLimits } from './attributes';

/**
 * How many attributes a record may carry: New Relic copies the resource's attributes onto every
 * span, log record and data point, and adds some of its own, all within one limit per record.
 */
export class AttributeBudget {
  /** The limit less New Relic's own attributes. */
  readonly perRecord: number;
  private readonly resources = new WeakMap<ResourceLike, number>();

  constructor(
    records: 'events' | 'metrics',
    private readonly limits: AttributeLimits = NEW_RELIC_ATTRIBUTE_LIMITS,
  ) {
    this.perRecord =
      (records === 'metrics' ? MAX_METRIC_ATTRIBUTES : MAX_EVENT_ATTRIBUTES) - INTRINSIC_ATTRIBUTES;
  }

  /** The resource's attributes as encoded: at most `perRecord`, its marker included. */
  resourceCount(resource: ResourceLike): number {
    let count = this.resources.get(resource);
    if (count === undefined) {
      const attributes = (resource.attributes ?? {}) as AnyValueMap;
      count = Object.keys(
        limitAttributes(attributes, this.limits, this.perRecord).attributes,
      ).length;
      this.resources.set(resource, count);
    }
    return count;
  }

  /** A record's own attributes under this resource: at least one, for the marker. */
  forRecord(resource: ResourceLike): number {
    return Math.max(1, this.perRecord - this.resourceCount(resource));
  }
}
