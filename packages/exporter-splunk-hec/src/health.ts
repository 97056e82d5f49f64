import type { HttpTransport } from '@otelpack/batching-core';
import type { HecEndpoints } from './config';
import { describeAnswer, parseHecAnswer } from './hec-codes';

/** Newer Splunk releases refuse a wrong (21) or disabled (22) token with HTTP 400. */
const TOKEN_REFUSED_ON_400 = new Set([21, 22]);

/** HEC's "Data channel is missing": the token wants indexer acknowledgement. */
const DATA_CHANNEL_MISSING = 10;

/** What the start-up check found: HEC's health, and whether it takes the token. */
export interface HealthReport {
  ok: boolean;
  /** `healthy`, `unhealthy` (HEC answered, not code 17) or `unreachable`. */
  hec: 'healthy' | 'unhealthy' | 'unreachable';
  /** `accepted`, `refused` (401/403: the token is wrong, disabled or missing) or `unknown`. */
  token: 'accepted' | 'refused' | 'unknown';
  /** One line for the log: what is wrong and where, or that all is well. */
  summary: string;
}

/**
 * Two requests that index nothing: `GET /services/collector/health` (HEC's own check: code 17
 * when healthy, 503 with codes 18-20 when its queues are full), which does not look at tokens,
 * then an empty POST to the event endpoint, which HEC answers 400 code 5 "No data" once the token
 * is valid and 401/403 (codes 1-4) when it is not: the Firehose probe's trick.
 */
export async function checkHealth(
  transport: HttpTransport,
  endpoints: HecEndpoints,
): Promise<HealthReport> {
  const where = endpoints.display;
  let hec: HealthReport['hec'];
  let hecDetail: string;
  try {
    const response = await transport.request({
      method: 'GET',
      path: endpoints.health,
      compression: 'none',
    });
    const answer = parseHecAnswer(response.body);
    hec = response.status === 200 && answer?.code === 17 ? 'healthy' : 'unhealthy';
    // A proxy or a HEC-compatible receiver may quote the request's headers back.
    hecDetail = transport.redact(describeAnswer(response.status, answer));
  } catch (error) {
    return {
      ok: false,
      hec: 'unreachable',
      token: 'unknown',
      summary: `HEC at ${where} is unreachable: ${transport.redact(String((error as Error).message ?? error))}`,
    };
  }
  let token: HealthReport['token'] = 'unknown';
  let tokenDetail = '';
  let needsChannel = false;
  try {
    const response = await transport.request({
      path: endpoints.event,
      body: '',
      compression: 'none',
    });
    const answer = parseHecAnswer(response.body);
    tokenDetail = transport.redact(describeAnswer(response.status, answer));
    // HEC checks the token first: any other 4xx (No data, or a channel the token's
    // acknowledgement wants) comes after the token was taken.
    if (
      response.status === 401 ||
      response.status === 403 ||
      TOKEN_REFUSED_ON_400.has(answer?.code ?? -1)
    )
      token = 'refused';
    else if (response.status === 400 || (response.status >= 200 && response.status < 300))
      token = 'accepted';
    // Code 10: the token has acknowledgement on and this exporter sends no channel, so HEC
    // will refuse every batch: a problem, though the token itself was taken.
    needsChannel = response.status === 400 && answer?.code === DATA_CHANNEL_MISSING;
  } catch (error) {
    tokenDetail = transport.redact(String((error as Error).message ?? error));
  }
  const ok = hec === 'healthy' && token === 'accepted' && !needsChannel;
  const problems: string[] = [];
  if (hec !== 'healthy') problems.push(`HEC is not healthy (${hecDetail})`);
  if (token === 'refused')
    problems.push(`HEC refuses the token (${tokenDetail}): check auth.token / SPLUNK_HEC_TOKEN`);
  if (needsChannel)
    problems.push(
      `the token has indexer acknowledgement on and HEC refuses requests without a channel (${tokenDetail}): set indexerAcknowledgement: true (OTELPACK_SPLUNK_HEC_INDEXER_ACKNOWLEDGEMENT=true)`,
    );
  if (token === 'unknown') problems.push(`the token could not be checked (${tokenDetail})`);
  return {
    ok,
    hec,
    token,
    summary: ok
      ? `HEC at ${where} is healthy and takes the token`
      : `HEC at ${where}: ${problems.join('; ')}`,
  };
}
