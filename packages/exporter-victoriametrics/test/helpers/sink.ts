import { FaultSink } from '@otelpack/batching-core/testing';
import { decodeRequestBody } from './proto';
import type { DecodedSeries } from './proto';

/**
 * A remote-write receiver fake for unit tests (labelled as one): the core's FaultSink with a
 * decoder that checks the three protocol headers, unsnappies the body and decodes it with
 * protobufjs. A request without the headers is malformed (answered 400). Success is 204, as
 * VictoriaMetrics and Prometheus answer.
 */
export async function startRemoteWriteSink(): Promise<FaultSink> {
  return FaultSink.start({
    decodeRecords: (body, req) => {
      if (req.headers['content-encoding'] !== 'snappy')
        throw new Error('Content-Encoding is not snappy');
      if (req.headers['content-type'] !== 'application/x-protobuf')
        throw new Error('bad Content-Type');
      if (req.headers['x-prometheus-remote-write-version'] !== '0.1.0')
        throw new Error('no remote-write version');
      return decodeRequestBody(body);
    },
    respond: () => ({ status: 204, body: '' }),
  });
}

export function seriesName(series: DecodedSeries): string {
  return series.labels.find((l) => l.name === '__name__')?.value ?? '';
}

export function label(series: DecodedSeries, name: string): string | undefined {
  return series.labels.find((l) => l.name === name)?.value;
}
