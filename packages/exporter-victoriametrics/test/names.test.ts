import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatFloat,
  isValidLabelName,
  isValidMetricName,
  prometheusMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
  unitTokens,
} from '../src';
import type { FamilyKind } from '../src';

describe('metric names with suffixes (the default)', () => {
  const table: [string, string, FamilyKind, boolean, string][] = [
    // name, unit, kind, OTel gauge, expected
    ['http.server.duration', 's', 'histogram', false, 'http_server_duration_seconds'],
    [
      'http.server.request.duration',
      'ms',
      'histogram',
      false,
      'http_server_request_duration_milliseconds',
    ],
    ['http.server.requests', '{request}', 'counter', false, 'http_server_requests_total'],
    ['http.server.requests', '', 'counter', false, 'http_server_requests_total'],
    ['requests_total', '', 'counter', false, 'requests_total'],
    ['requests.total', 'By', 'counter', false, 'requests_bytes_total'],
    ['system.network.io', 'By', 'counter', false, 'system_network_io_bytes_total'],
    ['bytes.sent', 'By', 'counter', false, 'bytes_sent_total'],
    ['request.duration.seconds', 's', 'histogram', false, 'request_duration_seconds'],
    ['process.memory.usage', 'By', 'gauge', false, 'process_memory_usage_bytes'],
    ['cpu.utilization', '1', 'gauge', true, 'cpu_utilization_ratio'],
    ['cpu.utilization', '1', 'gauge', false, 'cpu_utilization'], // a non-monotonic sum, not a gauge
    ['cpu.utilization', '1', 'counter', false, 'cpu_utilization_total'],
    ['disk.usage.ratio', '1', 'gauge', true, 'disk_usage_ratio'],
    ['queue.size', '{item}', 'gauge', true, 'queue_size'],
    ['throughput', 'By/s', 'gauge', true, 'throughput_bytes_per_second'],
    ['rate', '1/s', 'gauge', true, 'rate_per_second'],
    ['speed', 'm/h', 'gauge', true, 'speed_meters_per_hour'],
    ['temp', 'Cel', 'gauge', true, 'temp_celsius'],
    ['mem', 'MiBy', 'gauge', true, 'mem_mebibytes'],
    ['errors', '%', 'gauge', true, 'errors_percent'],
    ['weird', 'packets', 'gauge', true, 'weird_packets'],
    ['weird.unit', 'foo-bar', 'gauge', true, 'weird_unit_foo_bar'],
    ['annotated', '{packets}/s', 'counter', false, 'annotated_per_second_total'],
    ['(lambda).function.executions(#)', '', 'counter', false, 'lambda_function_executions_total'],
    ['a..b__c', '', 'gauge', true, 'a_b_c'],
    ['2xx.responses', '', 'counter', false, '_2xx_responses_total'],
    ['ns:recording:rule', '', 'gauge', true, 'ns:recording:rule'],
    ['héllo.wörld', '', 'gauge', true, 'h_llo_w_rld'],
    ['...', '', 'gauge', true, ''],
  ];
  for (const [name, unit, kind, otelGauge, expected] of table) {
    it(`${name} [${unit}] ${kind} → ${expected || '(dropped)'}`, () => {
      const out = prometheusMetricName({ name, unit, kind, otelGauge }, true);
      assert.equal(out, expected);
      if (out !== '') assert.ok(isValidMetricName(out), out);
    });
  }
});

describe('metric names with addMetricSuffixes: false', () => {
  const table: [string, string, FamilyKind, string][] = [
    ['http.server.duration', 's', 'histogram', 'http_server_duration'],
    ['http.requests', '', 'counter', 'http_requests'],
    ['cpu.utilization', '1', 'gauge', 'cpu_utilization'],
    ['2xx', '', 'gauge', '_2xx'],
    ['a..b', '', 'gauge', 'a_b'],
    ['keep:colons', '', 'gauge', 'keep:colons'],
  ];
  for (const [name, unit, kind, expected] of table) {
    it(`${name} → ${expected}`, () => {
      assert.equal(
        prometheusMetricName({ name, unit, kind, otelGauge: kind === 'gauge' }, false),
        expected,
      );
    });
  }
  it('sanitizeMetricName is what it applies', () => {
    assert.equal(sanitizeMetricName('a-b.c'), 'a_b_c');
  });
});

describe('label names', () => {
  const table: [string, string][] = [
    ['http.method', 'http_method'],
    ['http_method', 'http_method'],
    ['service.instance.id', 'service_instance_id'],
    ['2fa', 'key_2fa'],
    ['_private', 'key_private'],
    ['__name__', 'key_name_'],
    ['__reserved', 'key_reserved'],
    ['a..b', 'a_b'],
    ['a-b c', 'a_b_c'],
    ['héllo', 'h_llo'],
    ['🚀', 'key_'],
    ['UPPER.case', 'UPPER_case'],
    ['', ''],
  ];
  for (const [key, expected] of table) {
    it(`${JSON.stringify(key)} → ${JSON.stringify(expected)}`, () => {
      const out = sanitizeLabelName(key);
      assert.equal(out, expected);
      if (out !== '') {
        assert.ok(isValidLabelName(out), out);
        assert.ok(!out.startsWith('__'), 'no attribute may make a reserved label');
      }
    });
  }
});

describe('units', () => {
  it('drops annotations and spells out UCUM', () => {
    assert.deepEqual(unitTokens('{request}'), []);
    assert.deepEqual(unitTokens('1'), []);
    assert.deepEqual(unitTokens('s'), ['seconds']);
    assert.deepEqual(unitTokens('By/s'), ['bytes', 'per', 'second']);
    assert.deepEqual(unitTokens('{packet}/s'), ['per', 'second']);
    assert.deepEqual(unitTokens('KiBy'), ['kibibytes']);
  });
});

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
