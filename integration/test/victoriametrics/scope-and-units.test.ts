import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VictoriaMetricsExporter } from '@otelpack/exporter-victoriametrics';
import { backendUrl } from '../../src/env';
import { counterNow, eventually, exportFlushAndShutdown, forceFlushVm, query } from './helpers';

/*
 * REAL backends: VictoriaMetrics and Prometheus store what the specification's Prometheus
 * compatibility MUSTs make of a scope and of a unit holding `:` — the scope's name, version,
 * schema URL and attributes as otel_scope_* labels, and a metric name with `:` from its unit —
 * read back with PromQL exactly as sent.
 */

for (const backend of ['victoriametrics', 'prometheus'] as const) {
  describe(`${backend} (real): scope labels and a unit with ':'`, () => {
    it('stores otel_scope_name/_version/_schema_url/<attr> and the name with ":"', async (t) => {
      const url = backendUrl(t, backend);
      if (!url) return;
      const job = `otelpack_it_scope_${backend}_${Date.now()}`;
      const exporter = new VictoriaMetricsExporter({ url, flushIntervalMs: 100 });
      const input = counterNow({
        job,
        scope: {
          name: 'it.scope',
          version: '3.1.4',
          schemaUrl: 'https://opentelemetry.io/schemas/1.27.0',
          attributes: { 'team.name': 'payments' },
        },
        name: 'it.work',
        unit: 'req:s',
        value: 9,
      });
      await exportFlushAndShutdown(exporter, input);
      assert.equal(exporter.pipeline.stats().delivered, exporter.pipeline.stats().accepted);
      if (backend === 'victoriametrics') await forceFlushVm(url);

      const expr = `{__name__="it_work_req:s_total",job="${job}"}`;
      const result = await eventually(async () => {
        const data = await query(url, expr);
        assert.equal(data.resultType, 'vector');
        assert.equal(data.result.length, 1, `${expr} → ${JSON.stringify(data.result)}`);
        return data.result[0];
      });
      assert.deepEqual(result.metric, {
        __name__: 'it_work_req:s_total',
        job,
        otel_scope_name: 'it.scope',
        otel_scope_version: '3.1.4',
        otel_scope_schema_url: 'https://opentelemetry.io/schemas/1.27.0',
        otel_scope_team_name: 'payments',
      });
      assert.equal(Number(result.value[1]), 9);
    });
  });
}
