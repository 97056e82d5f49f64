import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DimensionWriter,
  countPayload,
  formatLine,
  gaugePayload,
  normalizeDimensionKey,
  normalizeDimensionValue,
  normalizeDimensions,
  normalizeMetricKey,
  summaryPayload,
} from '../src';
import { fixture } from './helpers/fixtures';
import { generatedPoints, generatedStrings } from './helpers/generate';
import type { GeneratedPoint } from './helpers/generate';
import { loadMetricUtils } from './helpers/metric-utils';

/*
 * @dynatrace/metric-utils as the oracle, on generated inputs: its answers are recorded in
 * test/fixtures/oracle.json by test/helpers/record-oracle.ts (the package does not install from
 * the registry); this test regenerates the same inputs from the seed, checks they are the ones
 * recorded, and holds this package's normalisation and lines to the answers. Where the package
 * is installed (or DT_METRIC_UTILS names a build), the recorded answers are checked against it too.
 */
interface Oracle {
  seed: number;
  keys: {
    input: string;
    metricKey: string | null;
    dimensionKey: string | null;
    dimensionValue: string;
  }[];
  lines: { point: GeneratedPoint; line: string | null }[];
}

const oracle = fixture<Oracle>('oracle.json');

/**
 * The one rule this package adds to the package's answers (src/normalize.ts): the ingest refuses a
 * key section after the first that starts with a hyphen (the protocol page; the Java utilities'
 * MetricKeyValidator), which the JavaScript utilities leave; its leading hyphens become one `_`.
 */
function withSectionRule(key: string): string {
  const [first, ...rest] = key.split('.');
  return [first, ...rest.map((section) => section.replace(/^-+/, '_'))].join('.');
}

function lineWithSectionRule(line: string): string {
  const end = line.search(/[, ]/);
  return withSectionRule(line.slice(0, end)) + line.slice(end);
}

// What the recording used: prefix `otel`, default dimension `Default.Dim=a b`.
const writer = new DimensionWriter(normalizeDimensions({ 'Default.Dim': 'a b' }), []);

function ourLine(point: GeneratedPoint): string | null {
  const key = normalizeMetricKey(`otel.${point.name}`);
  if (key === undefined) return null;
  const v = point.value;
  const payload =
    point.kind === 'gauge'
      ? gaugePayload(v)
      : point.kind === 'count'
        ? countPayload(v)
        : summaryPayload(Math.min(v, v * 2), Math.max(v, v * 2), v * 3, 2);
  return formatLine(key, writer.formatPairs([], point.dimensions), payload, point.timestampMs);
}

describe('oracle: @dynatrace/metric-utils on generated inputs', () => {
  it('the recorded inputs are the generator’s', () => {
    assert.deepEqual(
      oracle.keys.map((k) => k.input),
      generatedStrings(oracle.seed, oracle.keys.length),
    );
    assert.deepEqual(
      oracle.lines.map((l) => l.point),
      generatedPoints(oracle.seed + 7, oracle.lines.length),
    );
  });

  it(`metric keys, dimension keys and values: the package's answer for each of the ${oracle.keys.length} strings`, () => {
    const wrong: string[] = [];
    for (const k of oracle.keys) {
      const ours = {
        metricKey: normalizeMetricKey(k.input) ?? null,
        dimensionKey: normalizeDimensionKey(k.input) ?? null,
        dimensionValue: normalizeDimensionValue(k.input),
      };
      const expected = {
        ...k,
        metricKey: k.metricKey === null ? null : withSectionRule(k.metricKey),
      };
      for (const field of ['metricKey', 'dimensionKey', 'dimensionValue'] as const) {
        if (ours[field] !== expected[field]) {
          wrong.push(
            `${field} ${JSON.stringify(k.input)}: ${JSON.stringify(ours[field])} ≠ ${JSON.stringify(expected[field])}`,
          );
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it(`whole lines: the package's line for each of the ${oracle.lines.length} points`, () => {
    const expected = (line: string | null) => (line === null ? null : lineWithSectionRule(line));
    const wrong = oracle.lines
      .filter(({ point, line }) => ourLine(point) !== expected(line))
      .map(({ point, line }) => `${JSON.stringify(point)}: ${ourLine(point)} ≠ ${expected(line)}`);
    assert.deepEqual(wrong, []);
  });

  it('the added rule is exercised by the generated inputs, and only it departs', () => {
    const departing = oracle.keys.filter(
      (k) => k.metricKey !== null && withSectionRule(k.metricKey) !== k.metricKey,
    );
    assert.ok(departing.length > 0);
    assert.equal(normalizeMetricKey('a.-b.--c'), 'a._b._c');
  });

  const utils = loadMetricUtils();
  if (utils) {
    it('the recorded answers are the installed package’s', () => {
      for (const k of oracle.keys) {
        assert.equal(utils.normalizeMetricKey(k.input), k.metricKey);
        assert.equal(utils.normalizeDimensionKey(k.input), k.dimensionKey);
        assert.equal(utils.normalizeDimensionValue(k.input), k.dimensionValue);
      }
    });
  }
});
