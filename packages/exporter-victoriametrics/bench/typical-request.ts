/**
 * The benchmark's typical input: one export of an HTTP server's metrics as the OpenTelemetry SDK
 * hands it to the exporter (a counter per route/method/status, and a histogram for every tenth).
 * Shared by bench/run.ts and bench/encode-trees.ts so that both time the same request.
 */
import type { ResourceMetricsLike } from '@otelpack/batching-core';

/** The exporter's maxBatchItems: one request's worth of series. */
export const SERIES_PER_REQUEST = 2_000;

/** One export's worth of realistic OpenTelemetry data: HTTP server counters and histograms. */
export function syntheticExport(points: number, endMs: number, seed = 0): ResourceMetricsLike {
  const end: [number, number] = [Math.floor(endMs / 1000), (endMs % 1000) * 1e6];
  const start: [number, number] = [end[0] - 60, 0];
  const routes = ['/api/orders', '/api/orders/:id', '/api/cart', '/api/users/:id', '/health'];
  const counterPoints = [];
  const histogramPoints = [];
  for (let i = 0; i < points; i++) {
    const attributes = {
      'http.request.method': i % 3 === 0 ? 'POST' : 'GET',
      'http.route': `${routes[i % routes.length]}/${Math.floor(i / routes.length)}`,
      'http.response.status_code': i % 17 === 0 ? 500 : 200,
      'server.address': 'checkout.internal',
    };
    counterPoints.push({ attributes, startTime: start, endTime: end, value: 1000 + i * 7 + seed });
    if (i % 10 === 0) {
      histogramPoints.push({
        attributes,
        startTime: start,
        endTime: end,
        value: {
          buckets: {
            boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            counts: [1, 2, 3, 5, 8, 13, 8, 5, 3, 2, 1].map((c) => c + seed),
          },
          count: 51 + 11 * seed,
          sum: 12.34 + i,
        },
      });
    }
  }
  return {
    resource: {
      attributes: {
        'service.name': 'checkout',
        'service.namespace': 'shop',
        'service.instance.id': 'checkout-7d9f8-abcde',
        'host.name': 'node-17',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
        'telemetry.sdk.version': '2.2.0',
      },
    },
    scopeMetrics: [
      {
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.208.0' },
        metrics: [
          {
            descriptor: {
              name: 'http.server.requests',
              unit: '{request}',
              description: '',
              valueType: 1,
            },
            aggregationTemporality: 1,
            dataPointType: 3,
            isMonotonic: true,
            dataPoints: counterPoints,
          },
          {
            descriptor: {
              name: 'http.server.request.duration',
              unit: 's',
              description: '',
              valueType: 1,
            },
            aggregationTemporality: 1,
            dataPointType: 0,
            dataPoints: histogramPoints,
          },
        ],
      },
    ],
  } as ResourceMetricsLike;
}
