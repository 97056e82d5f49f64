/*
 * Records @dynatrace/metric-utils' answers for the generated inputs into test/fixtures/oracle.json,
 * which test/oracle.test.ts holds this package's normalisation and lines to. The package does not
 * install from the registry (its only published dependant, the archived exporter, is all that
 * names it): build it from its repository and point DT_METRIC_UTILS at the build, then run
 *   DT_METRIC_UTILS=/path/to/dynatrace-metric-utils-js npx tsx test/helpers/record-oracle.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedPoints, generatedStrings } from './generate';
import { loadMetricUtils } from './metric-utils';

export const ORACLE_SEED = 20261202;

const utils = loadMetricUtils();
if (!utils) throw new Error('set DT_METRIC_UTILS to a build of @dynatrace/metric-utils');
const strings = generatedStrings(ORACLE_SEED, 600);
const factory = new utils.MetricFactory({
  prefix: 'otel',
  defaultDimensions: [{ key: 'Default.Dim', value: 'a b' }],
});
const lines = generatedPoints(ORACLE_SEED + 7, 300).map((point) => {
  const dimensions = point.dimensions.map(([key, value]) => ({ key, value }));
  const time = new Date(point.timestampMs);
  const v = point.value;
  const metric =
    point.kind === 'gauge'
      ? factory.createGauge(point.name, dimensions, v, time)
      : point.kind === 'count'
        ? factory.createCounterDelta(point.name, dimensions, v, time)
        : factory.createSummary(
            point.name,
            dimensions,
            { min: Math.min(v, v * 2), max: Math.max(v, v * 2), sum: v * 3, count: 2 },
            time,
          );
  return { point, line: metric ? metric.serialize() : null };
});
const fixture = {
  note: 'Answers of @dynatrace/metric-utils 0.2.0 (dynatrace-metric-utils-js@5a21342) to generated inputs (test/helpers/generate.ts); written by test/helpers/record-oracle.ts, not by hand.',
  seed: ORACLE_SEED,
  keys: strings.map((input) => ({
    input,
    metricKey: utils.normalizeMetricKey(input),
    dimensionKey: utils.normalizeDimensionKey(input),
    dimensionValue: utils.normalizeDimensionValue(input),
  })),
  lines,
};
writeFileSync(join(__dirname, '..', 'fixtures', 'oracle.json'), `${JSON.stringify(fixture)}\n`);
console.log(`recorded ${fixture.keys.length} strings and ${lines.length} lines`);
