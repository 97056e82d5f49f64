import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequest } from '../../src/fakes/newrelic-fake';

/*
 * The New Relic fake's after-the-2xx checks, row by row against the documented limits (no
 * backend needed): docs.newrelic.com "OpenTelemetry best practices: attributes" (255 / 4,095 /
 * 64), "Metric API limits and restricted attributes" (150 per metric, 48 h old, 24 h ahead),
 * "Event API" (255 per event), "Log API" (48 h), "OpenTelemetry metrics in New Relic"
 * (non-monotonic delta sums unsupported).
 */

const NOW = Date.UTC(2026, 11, 2, 12);
const nanos = (ageHours: number) => String(BigInt(NOW - ageHours * 3_600_000) * 1_000_000n);
const str = (key: string, length: number) => ({ key, value: { stringValue: 'x'.repeat(length) } });
const many = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `a${i}`, value: { intValue: '1' } }));

function spans(attributes: unknown[], resource: unknown[] = []) {
  return {
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [{ scope: {}, spans: [{ name: 's', attributes }] }],
      },
    ],
  };
}
function point(
  attributes: unknown[],
  ageHours = 0,
  sum: Record<string, unknown> = { aggregationTemporality: 1, isMonotonic: true },
) {
  return {
    resourceMetrics: [
      {
        resource: {},
        scopeMetrics: [
          {
            scope: {},
            metrics: [
              {
                name: 'm',
                sum: { ...sum, dataPoints: [{ attributes, timeUnixNano: nanos(ageHours) }] },
              },
            ],
          },
        ],
      },
    ],
  };
}
function log(ageHours: number, attributes: unknown[] = []) {
  return {
    resourceLogs: [
      {
        resource: {},
        scopeLogs: [{ scope: {}, logRecords: [{ timeUnixNano: nanos(ageHours), attributes }] }],
      },
    ],
  };
}
/** A log attribute holding a map: New Relic flattens it into dotted names. */
const nested = (key: string, values: unknown[]) => ({ key, value: { kvlistValue: { values } } });

describe('New Relic fake: the items New Relic drops after a 2xx', () => {
  const table: [string, 'traces' | 'logs' | 'metrics', Record<string, unknown>, number][] = [
    ['a 4,095-character value: kept', 'traces', spans([str('v', 4095)]), 0],
    ['a 4,096-character value: dropped', 'traces', spans([str('v', 4096)]), 1],
    ['a 255-character name: kept', 'traces', spans([str('k'.repeat(255), 1)]), 0],
    ['a 256-character name: dropped', 'traces', spans([str('k'.repeat(256), 1)]), 1],
    [
      '64 array entries: kept',
      'traces',
      spans([{ key: 'a', value: { arrayValue: { values: many(64).map((a) => a.value) } } }]),
      0,
    ],
    [
      '65 array entries: dropped',
      'traces',
      spans([{ key: 'a', value: { arrayValue: { values: many(65).map((a) => a.value) } } }]),
      1,
    ],
    ['255 attributes on a span, resource included: kept', 'traces', spans(many(200), many(55)), 0],
    [
      '256 attributes on a span, resource included: dropped',
      'traces',
      spans(many(200), many(56)),
      1,
    ],
    ['a long resource value drops every span under it', 'traces', spans([], [str('r', 5000)]), 1],
    ['150 attributes on a point: kept', 'metrics', point(many(150)), 0],
    ['151 attributes on a point: dropped', 'metrics', point(many(151)), 1],
    ['a point 47 h old: kept', 'metrics', point([], 47), 0],
    ['a point 49 h old: dropped', 'metrics', point([], 49), 1],
    ['a point 25 h ahead: dropped', 'metrics', point([], -25), 1],
    [
      'a non-monotonic delta sum: dropped',
      'metrics',
      point([], 0, { aggregationTemporality: 1, isMonotonic: false }),
      1,
    ],
    [
      'a non-monotonic cumulative sum: kept',
      'metrics',
      point([], 0, { aggregationTemporality: 2 }),
      0,
    ],
    ['a log record 47 h old: kept', 'logs', log(47), 0],
    ['a log record 49 h old: dropped', 'logs', log(49), 1],
    // Nested maps, counted and named as New Relic flattens them.
    ['a nested map of 255 leaves: kept', 'logs', log(0, [nested('m', many(255))]), 0],
    ['a nested map of 300 leaves: dropped', 'logs', log(0, [nested('m', many(300))]), 1],
    [
      'a nested map of 200 leaves beside 56 attributes: dropped',
      'logs',
      log(0, [...many(56), nested('m', many(200))]),
      1,
    ],
    [
      'a flattened name of 255 characters: kept',
      'logs',
      log(0, [nested('a'.repeat(100), [str('b'.repeat(154), 1)])]),
      0,
    ],
    [
      'a flattened name of 401 characters: dropped',
      'logs',
      log(0, [nested('a'.repeat(200), [str('b'.repeat(200), 1)])]),
      1,
    ],
    [
      'a long value two maps deep: dropped',
      'logs',
      log(0, [nested('a', [nested('b', [str('c', 4096)])])]),
      1,
    ],
  ];
  for (const [what, signal, request, dropped] of table) {
    it(what, () => {
      const checked = checkRequest(signal, request, NOW);
      assert.equal(checked.items, 1);
      assert.equal(checked.errors.length, dropped, JSON.stringify(checked.errors));
      for (const error of checked.errors) assert.equal(error.dataSource, 'OTLP');
    });
  }
});
