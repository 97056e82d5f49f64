import { FaultSink } from '@otelpack/batching-core/testing';
import { uncompress } from 'snappyjs';
import { decodeRequestBody } from './proto';
import type { DecodedSeries } from './proto';
import { decodeRequestV2 } from './proto-v2';
import type { DecodedV2 } from './proto-v2';

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

/**
 * A remote write 2.0 receiver fake (labelled as one), as the 2.0 specification describes it: the
 * 2.0 Content-Type and version headers are required (else 415, "Unsupported Request Content"),
 * the body is read by the published proto, and every 2xx carries the three
 * X-Prometheus-Remote-Write-*-Written counts ("Required Written Response Headers").
 */
export async function startRemoteWriteV2Sink(
  options: {
    /**
     * What the Written headers say: `counts` (the default, as the specification asks), only
     * `samples` (the one header), `zero` (all three, counting nothing written) or `one` (all
     * three, one sample written whatever was sent).
     */
    written?: 'counts' | 'samples' | 'zero' | 'one';
  } = {},
): Promise<FaultSink> {
  return FaultSink.start({
    decodeRecords: (body) => decodeRequestV2(uncompress(body)).timeseries,
    respond: (records, req) => {
      const contentType = String(req.headers['content-type'] ?? '');
      if (
        req.headers['content-encoding'] !== 'snappy' ||
        !contentType.includes('proto=io.prometheus.write.v2.Request') ||
        req.headers['x-prometheus-remote-write-version'] !== '2.0.0'
      ) {
        return { status: 415, body: `unsupported content type ${contentType}` };
      }
      const series = records as DecodedV2['timeseries'];
      const count = (pick: (s: DecodedV2['timeseries'][number]) => unknown[]) =>
        String(series.reduce((sum, s) => sum + pick(s).length, 0));
      const written = options.written ?? 'counts';
      const zero = written === 'zero';
      const samples = zero ? '0' : written === 'one' ? '1' : count((s) => s.samples);
      return {
        status: 204,
        body: '',
        headers:
          written === 'samples'
            ? { 'x-prometheus-remote-write-samples-written': samples }
            : {
                'x-prometheus-remote-write-samples-written': samples,
                'x-prometheus-remote-write-histograms-written': zero
                  ? '0'
                  : count((s) => s.histograms),
                'x-prometheus-remote-write-exemplars-written': zero
                  ? '0'
                  : count((s) => s.exemplars),
              },
      };
    },
  });
}

/**
 * A remote write 1.0 receiver fake (labelled as one) that, like Prometheus before 2.54 and other
 * 1.0 receivers, does not look at the Content-Type: it reads any body as a 1.0 WriteRequest and
 * answers 204 with no Written headers. A 2.0 body reads as an empty request (the 2.0 message
 * reserves 1.0's field numbers), which the integration test shows of the real Prometheus 2.42.
 */
export async function startRemoteWriteV1OnlySink(): Promise<FaultSink> {
  return FaultSink.start({
    decodeRecords: (body) => decodeRequestBody(body),
    respond: () => ({ status: 204, body: '' }),
  });
}
