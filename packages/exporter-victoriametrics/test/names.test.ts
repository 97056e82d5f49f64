import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatFloat,
  isValidLabelName,
  isValidMetricName,
  prometheusMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
  prometheusUnit,
  unitSuffixes,
} from '../src';
import type { FamilyKind } from '../src';

/** Reference files the rows come from (prometheus/otlptranslator at 51da773, Jul 2026). */
const NAMER_TEST = 'otlptranslator/metric_namer_test.go';
const OURS = 'otelpack (rule of otlptranslator/metric_namer.go)';

describe('metric names with suffixes (the default)', () => {
  const table: [string, string, FamilyKind, boolean, string, string][] = [
    // name, unit, kind, OTel gauge, expected, source
    ['requests', '', 'counter', false, 'requests_total', NAMER_TEST],
    ['cpu_usage', '1', 'gauge', true, 'cpu_usage_ratio', NAMER_TEST],
    ['items', '1', 'counter', false, 'items_total', NAMER_TEST],
    ['response_time', 'ms', 'gauge', true, 'response_time_milliseconds', NAMER_TEST],
    ['memory_usage', 'By', 'gauge', true, 'memory_usage_bytes', NAMER_TEST],
    ['requests', '1/s', 'gauge', true, 'requests_per_second', NAMER_TEST],
    ['throughput', 'By/s', 'gauge', true, 'throughput_bytes_per_second', NAMER_TEST],
    ['custom_metric', 'custom_unit', 'gauge', true, 'custom_metric_custom_unit', NAMER_TEST],
    ['custom_metric', '{custom}', 'gauge', true, 'custom_metric', NAMER_TEST],
    ['custom_metric', 'By/{custom}', 'gauge', true, 'custom_metric_bytes', NAMER_TEST],
    ['requests_total', '', 'counter', false, 'requests_total', NAMER_TEST],
    ['cpu_usage_ratio', '1', 'gauge', true, 'cpu_usage_ratio', NAMER_TEST],
    ['response_time_seconds', 's', 'gauge', true, 'response_time_seconds', NAMER_TEST],
    [
      'metric__with__multiple__underscores',
      'unit__multiple__underscores',
      'gauge',
      true,
      'metric_with_multiple_underscores_unit_multiple_underscores',
      NAMER_TEST,
    ],
    [
      'custom_metric',
      'unit@with#special/chars',
      'gauge',
      true,
      'custom_metric_unit_with_special_per_chars',
      NAMER_TEST,
    ],
    ['@#$%', '', 'gauge', true, '', NAMER_TEST],
    ['custom', '1/custom_unit', 'gauge', true, 'custom_per_custom_unit', NAMER_TEST],
    ['metric', 'By/', 'gauge', true, 'metric_bytes', NAMER_TEST],
    ['metric', ' By / s ', 'gauge', true, 'metric_bytes_per_second', NAMER_TEST],
    ['metric', '/', 'gauge', true, 'metric', NAMER_TEST],
    [
      'http.request.duration',
      'ms',
      'histogram',
      false,
      'http_request_duration_milliseconds',
      NAMER_TEST,
    ],
    ['http.requests', '1', 'counter', false, 'http_requests_total', NAMER_TEST],
    ['metric', 'd', 'gauge', true, 'metric_days', NAMER_TEST],
    ['metric', 'KiBy', 'gauge', true, 'metric_kibibytes', NAMER_TEST],
    ['metric', 'Cel', 'gauge', true, 'metric_celsius', NAMER_TEST],
    ['metric', '%', 'gauge', true, 'metric_percent', NAMER_TEST],
    ['metric', '1/mo', 'gauge', true, 'metric_per_month', NAMER_TEST],
    ['metric', '1/y', 'gauge', true, 'metric_per_year', NAMER_TEST],
    // Units holding `:` keep it, like names do (the specification's MUST; otlptranslator's
    // replaceInvalidMetricChar keeps `:` in units).
    ['requests', 'req:s', 'counter', false, 'requests_req:s_total', OURS],
    ['latency', 'ms:p99/s', 'gauge', true, 'latency_ms:p99_per_second', OURS],
    ['ns:recording:rule', '', 'gauge', true, 'ns:recording:rule', OURS],
    // Every `total` / `ratio` word moves to the end (removeItem), not only a trailing one.
    ['total.requests', '', 'counter', false, 'requests_total', OURS],
    ['total', '', 'counter', false, 'total', OURS],
    ['ratio.disk', '1', 'gauge', true, 'disk_ratio', OURS],
    // A unit part holding braces is left out whole (buildUnitSuffixes), not only its `{…}`.
    ['size', 'k{packet}', 'gauge', true, 'size', OURS],
    // The per part is compared with the name's words as one word, so it is never found there.
    ['rate_per_second', '1/s', 'gauge', true, 'rate_per_second_per_second', OURS],
    ['cpu.utilization', '1', 'gauge', false, 'cpu_utilization', OURS], // a non-monotonic sum
    [
      '(lambda).function.executions(#)',
      '',
      'counter',
      false,
      'lambda_function_executions_total',
      OURS,
    ],
    ['2xx.responses', '', 'counter', false, '_2xx_responses_total', OURS],
    ['héllo.wörld', '', 'gauge', true, 'h_llo_w_rld', OURS],
    ['...', '', 'gauge', true, '', OURS],
    ['cost', '$', 'gauge', true, 'cost', OURS], // no `$` in otlptranslator's unitMap
  ];
  for (const [name, unit, kind, otelGauge, expected, source] of table) {
    it(`${name} [${unit}] ${kind} → ${expected || '(dropped)'} (${source})`, () => {
      const out = prometheusMetricName({ name, unit, kind, otelGauge }, true);
      assert.equal(out, expected);
      if (out !== '') assert.ok(isValidMetricName(out), out);
    });
  }
});

describe('metric names with addMetricSuffixes: false', () => {
  const table: [string, string, string][] = [
    ['simple_metric', 'simple_metric', NAMER_TEST],
    ['metric@with#special$chars', 'metric_with_special_chars', NAMER_TEST],
    ['123metric', '_123metric', NAMER_TEST],
    ['metric@@##$$name', 'metric_name', NAMER_TEST],
    ['@#$%', '', NAMER_TEST],
    ['___', '___', NAMER_TEST],
    ['http.server.duration', 'http_server_duration', OURS],
    ['keep:colons', 'keep:colons', OURS],
    ['a__b', 'a__b', OURS], // existing underscores are kept
    ['(x)', 'x', OURS], // none at either end
  ];
  for (const [name, expected, source] of table) {
    it(`${name} → ${expected || '(dropped)'} (${source})`, () => {
      assert.equal(
        prometheusMetricName({ name, unit: 's', kind: 'gauge', otelGauge: true }, false),
        expected,
      );
    });
  }
  it('sanitizeMetricName is what it applies', () => {
    assert.equal(sanitizeMetricName('a-b.c'), 'a_b_c');
  });
});

describe('label names', () => {
  // [key, expected, where the row comes from]. OTEL: the specification's
  // compatibility/prometheus_and_openmetrics.md c[mattrs.key-sanitize] (invalid characters to
  // `_`, runs of `_` to one); LN: otlptranslator's label_namer_test.go; OURS: the README's
  // deliberate differences (no attribute may make a reserved `__` label).
  const table: [string, string, string][] = [
    ['label:with:colons', 'label_with_colons', 'LN labelTestCases'],
    ['LabelWithCapitalLetters', 'LabelWithCapitalLetters', 'LN labelTestCases'],
    ['label!with&special$chars)', 'label_with_special_chars_', 'LN labelTestCases'],
    ['label.with.dots', 'label_with_dots', 'LN labelTestCases'],
    ['123label', 'key_123label', 'LN labelTestCases'],
    ['regular label', 'regular_label', 'LN TestBuildLabel_Underscores'],
    [
      '_label_starting_with_underscore',
      'key_label_starting_with_underscore',
      'LN TestBuildLabel_Underscores, UnderscoreLabelSanitization',
    ],
    [
      'label_with_foreign_characters_字符',
      'label_with_foreign_characters_',
      'OTEL runs of _ become one (LN keeps them: label_with_foreign_characters___)',
    ],
    [
      '__label_starting_with_2underscores',
      'key_label_starting_with_2underscores',
      'OURS (LN keeps it as it is)',
    ],
    ['http.method', 'http_method', 'OTEL'],
    ['http_method', 'http_method', 'OTEL'],
    ['service.instance.id', 'service_instance_id', 'OTEL'],
    ['2fa', 'key_2fa', 'LN labelTestCases (123label)'],
    ['_private', 'key_private', 'LN TestBuildLabel_Underscores, UnderscoreLabelSanitization'],
    ['__name__', 'key_name_', 'OURS'],
    ['__reserved', 'key_reserved', 'OURS'],
    ['a..b', 'a_b', 'OTEL runs of _ become one'],
    ['a-b c', 'a_b_c', 'OTEL'],
    ['héllo', 'h_llo', 'OTEL'],
    ['🚀', 'key_', 'OURS (LN: an error for a name of nothing but _)'],
    ['UPPER.case', 'UPPER_case', 'OTEL'],
    ['', '', 'LN TestBuildLabel_Errors (an error there; no label here)'],
  ];
  for (const [key, expected, source] of table) {
    it(`${JSON.stringify(key)} → ${JSON.stringify(expected)} (${source})`, () => {
      const out = sanitizeLabelName(key);
      assert.equal(out, expected);
      if (out !== '') {
        assert.ok(isValidLabelName(out), out);
        assert.ok(!out.startsWith('__'), 'no attribute may make a reserved label');
      }
    });
  }
});

describe('units (otlptranslator/unit_namer.go)', () => {
  // [unit, expected, where the row comes from]
  const table: [string, string, string][] = [
    ['ms', 'milliseconds', 'metric_namer_test.go "metric with time unit" wantUnitName'],
    ['By/s', 'bytes_per_second', 'metric_namer_test.go "metric with complex per unit"'],
    ['1/s', 'per_second', 'metric_namer_test.go "metric with per unit"'],
    ['custom_unit', 'custom_unit', 'metric_namer_test.go "metric with unknown unit"'],
    [
      'By/{custom}',
      'bytes',
      'metric_namer_test.go "metric with per unit containing braces is ignored"',
    ],
    [
      'unit__multiple__underscores',
      'unit_multiple_underscores',
      'metric_namer_test.go "metric with multiple underscores normalized"',
    ],
    [
      'unit@with#special/chars',
      'unit_with_special_per_chars',
      'metric_namer_test.go "metric with special chars in unit"',
    ],
    ['1/custom_unit', 'per_custom_unit', 'metric_namer_test.go "metric with unknown per unit"'],
    [' By / s ', 'bytes_per_second', 'metric_namer_test.go "metric with whitespace in unit"'],
    // unit_namer_test.go's cases were merged into metric_namer_test.go by dc49c8b; those that did
    // not move are taken from the file as it was before (c9bafb7).
    ['{request}', '', 'unit_namer_test.go@c9bafb7 "main unit with braces ignored" ({custom})'],
    ['1', '', 'unit_namer_test.go@c9bafb7 "dimensionless unit (1)"'],
    ['KiBy', 'kibibytes', 'metric_namer_test.go "metric with kibibytes unit"'],
    ['GiBy', 'gibibytes', 'metric_namer_test.go "metric with gibibytes unit"'],
    ['KBy', 'kilobytes', 'metric_namer_test.go "metric with kilobytes unit"'],
    // otlptranslator's spelling, not UCUM's tebibyte: what Prometheus' receiver writes.
    ['TiBy', 'tibibytes', 'metric_namer_test.go "metric with tibibytes unit"'],
    // UCUM's kilobyte is not in metric_namer.go's unitMap (only `KBy` is): an unknown unit, kept.
    ['kBy', 'kBy', 'metric_namer.go unitMap (KBy only) and "metric with unknown unit"'],
    ['MBy/h', 'megabytes_per_hour', 'unit_namer_test.go@c9bafb7 "megabytes per hour"'],
    ['1/mo', 'per_month', 'metric_namer_test.go "metric with per month unit"'],
    ['/s', 'per_second', 'unit_namer_test.go@c9bafb7 "leading slash with per unit"'],
    ['By/', 'bytes', 'metric_namer_test.go "metric with empty per unit"'],
    [
      'By/_custom__unit_',
      'bytes_per_custom_unit',
      'unit_namer_test.go@c9bafb7 "per unit with underscores normalized"',
    ],
    // No test row has a colon: unit_namer.go's cleanUpUnit maps each character through
    // replaceInvalidMetricChar, which keeps what a legacy metric name may hold, ':' among it.
    ['req:s', 'req:s', 'unit_namer.go cleanUpUnit (replaceInvalidMetricChar keeps ":")'],
  ];
  for (const [unit, expected, source] of table) {
    it(`${JSON.stringify(unit)} → ${JSON.stringify(expected)} (${source})`, () => {
      assert.equal(prometheusUnit(unit), expected);
    });
  }
  it('keeps the two parts apart for the name', () => {
    assert.deepEqual(unitSuffixes('By/s'), { main: 'bytes', per: 'per_second' });
    assert.deepEqual(unitSuffixes('{packet}/s'), { main: '', per: 'per_second' });
  });
});

/*
 * The rule is Go's strconv.FormatFloat(v, 'f', -1, 64), which prometheus/prometheus
 * storage/remote/otlptranslator/prometheusremotewrite/helper.go applies to `le` and `quantile`
 * (plain decimals, never an exponent); its tests check 0, 1-5, 100, 0.124, 1.123, 0.5 and 0.9
 * (conformance-prometheus.test.ts). The rows past those are the rule's, worked out here, and the
 * non-finite ones Prometheus' text format's (+Inf, -Inf, NaN).
 */
describe('formatFloat (le and quantile values, as Prometheus writes them)', () => {
  const table: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [0.005, '0.005'],
    [2.5, '2.5'],
    [10000, '10000'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [1.25e-9, '0.00000000125'],
    [-3.5e-8, '-0.000000035'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  for (const [value, expected] of table) {
    it(`${value} → ${expected}`, () => {
      assert.equal(formatFloat(value), expected);
      if (Number.isFinite(value)) assert.equal(Number(formatFloat(value)), value);
    });
  }
});
