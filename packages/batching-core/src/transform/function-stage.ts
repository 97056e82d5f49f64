import type { ReadableLogRecordLike, ReadableSpanLike, ResourceMetricsLike } from '../sdk/types';
import type { Signal } from '../types';
import type { StageResult } from './stage';
import { deepCopy } from './values';
import type { ValueMap } from './values';
import { overlay } from './views';

/** The plain-function form of `transform`: a new item, or undefined to drop it. */
export type TransformFunction = (
  item: ReadableSpanLike | ReadableLogRecordLike | ResourceMetricsLike,
  signal: Signal,
) => ReadableSpanLike | ReadableLogRecordLike | ResourceMetricsLike | undefined;

/**
 * Runs the user's function on a copy of each item (its attributes, resource and body copied), so
 * that a function that changes what it is given cannot change what the SDK holds. Undefined drops
 * the item (`filtered`); a throw drops it too (`transform_error`): an item a redacting function
 * failed on is not sent as it was.
 */
export class FunctionStage {
  constructor(private readonly fn: TransformFunction) {}

  touches(): boolean {
    return true;
  }

  apply(signal: Signal, items: readonly unknown[]): StageResult<unknown> {
    const result: StageResult<unknown> = {
      items: [],
      filtered: 0,
      failed: 0,
      errors: 0,
      redacted: 0,
    };
    for (const item of items) {
      const records = signal === 'metrics' ? pointsOf(item as ResourceMetricsLike) : 1;
      let out: unknown;
      try {
        out = this.fn(copyOf(signal, item) as never, signal);
      } catch (error) {
        result.errors++;
        result.failed += records;
        result.firstError ??= `the transform function threw: ${error instanceof Error ? error.message : String(error)}`;
        continue;
      }
      if (out === undefined || out === null) result.filtered += records;
      else if (signal === 'metrics') {
        // Points the function left out of a metrics item are counted as filtered, not lost.
        result.filtered += Math.max(0, records - pointsOf(out as ResourceMetricsLike));
        result.items.push(out);
      } else result.items.push(out);
    }
    return result;
  }
}

function pointsOf(item: ResourceMetricsLike): number {
  let n = 0;
  for (const sm of item.scopeMetrics ?? [])
    for (const m of sm.metrics ?? []) n += m.dataPoints?.length ?? 0;
  return n;
}

function copyOf(signal: Signal, item: unknown): unknown {
  if (signal === 'metrics') {
    const rm = item as ResourceMetricsLike;
    return {
      resource: overlay(rm.resource, { attributes: deepCopy(rm.resource.attributes) }),
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        scope: { ...sm.scope },
        metrics: sm.metrics.map((m) => ({
          ...m,
          dataPoints: m.dataPoints.map((p) => ({ ...p, attributes: deepCopy(p.attributes) })),
        })),
      })),
    };
  }
  const source = item as ReadableSpanLike | ReadableLogRecordLike;
  const changes: ValueMap = {
    attributes: deepCopy(source.attributes),
    resource: overlay(source.resource, { attributes: deepCopy(source.resource.attributes) }),
  };
  if (signal === 'traces') {
    changes.events = (source as ReadableSpanLike).events.map((e) => ({
      ...e,
      attributes: deepCopy(e.attributes),
    }));
  } else {
    changes.body = deepCopy((source as ReadableLogRecordLike).body);
  }
  return overlay(source, changes);
}
