import { InvalidConfigError } from '@otelpack/batching-core';

/** Where DogStatsD datagrams go, and the largest datagram that transport carries. */
export type DogStatsDTarget =
  | { protocol: 'udp'; host: string; port: number; maxDatagramBytes: number }
  | { protocol: 'tcp'; host: string; port: number; maxDatagramBytes: number }
  | { protocol: 'uds'; path: string; maxDatagramBytes: number };

/**
 * UDP: 1,432 bytes, what Datadog's clients use so that a datagram fits one Ethernet frame
 * (1,500 MTU less IP and UDP headers, with room for options); a larger one is fragmented or, over
 * a smaller MTU, refused with EMSGSIZE. UDS and TCP: 8,192, the Agent's default read buffer
 * (`dogstatsd_buffer_size`); beyond it the Agent truncates.
 */
export const DEFAULT_MAX_DATAGRAM_BYTES = { udp: 1_432, uds: 8_192, tcp: 8_192 } as const;
const AGENT_BUFFER_BYTES = 8_192;

export interface DogStatsDAddress {
  agentHost?: string;
  dogstatsdPort?: number;
  dogstatsdSocket?: string;
  dogstatsdUrl?: string;
  maxDatagramBytes?: number;
}

/**
 * The address as the Datadog clients resolve it: `dogstatsdUrl` (DD_DOGSTATSD_URL), else
 * `dogstatsdSocket` (DD_DOGSTATSD_SOCKET), else UDP to `agentHost`:`dogstatsdPort`
 * (DD_AGENT_HOST, DD_DOGSTATSD_PORT), `localhost:8125` by default.
 */
export function dogStatsDTarget(
  options: DogStatsDAddress,
  sourceOf: (option: string) => string | undefined = () => undefined,
): DogStatsDTarget {
  const limit = (protocol: 'udp' | 'uds' | 'tcp') => {
    const max = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES[protocol];
    if (protocol !== 'udp' && max > AGENT_BUFFER_BYTES) {
      throw new InvalidConfigError(
        sourceOf('maxDatagramBytes') ?? 'maxDatagramBytes',
        `at most ${AGENT_BUFFER_BYTES} over ${protocol}: the Agent reads no more at once`,
      );
    }
    return max;
  };
  if (options.dogstatsdUrl !== undefined) {
    const source = sourceOf('dogstatsdUrl') ?? 'dogstatsdUrl';
    const text = options.dogstatsdUrl.trim();
    const socket = /^(unix|unixgram):\/\/(\/.*)$/.exec(text);
    if (socket) return { protocol: 'uds', path: socket[2], maxDatagramBytes: limit('uds') };
    const network = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
    if (network) {
      const port = network[3] === undefined ? 8125 : Number(network[3]);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) {
        throw new InvalidConfigError(source, `port out of range in ${JSON.stringify(text)}`);
      }
      const protocol = network[1] as 'udp' | 'tcp';
      const host = network[2].replace(/^\[|\]$/g, '');
      return { protocol, host, port, maxDatagramBytes: limit(protocol) };
    }
    throw new InvalidConfigError(
      source,
      `expected udp://host[:port], tcp://host[:port], unix:///path or unixgram:///path, got ${JSON.stringify(text)}`,
    );
  }
  if (options.dogstatsdSocket !== undefined && options.dogstatsdSocket.trim() !== '') {
    return {
      protocol: 'uds',
      path: options.dogstatsdSocket.trim(),
      maxDatagramBytes: limit('uds'),
    };
  }
  return {
    protocol: 'udp',
    host: options.agentHost ?? 'localhost',
    port: options.dogstatsdPort ?? 8125,
    maxDatagramBytes: limit('udp'),
  };
}

export function describeTarget(target: DogStatsDTarget): string {
  return target.protocol === 'uds'
    ? `unixgram://${target.path}`
    : `${target.protocol}://${target.host}:${target.port}`;
}
