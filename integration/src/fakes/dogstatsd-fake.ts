/*
 * THIS IS A FAKE, not a Datadog Agent: otelpack's DogStatsD receiver fake. It parses datagrams
 * in the full Datadog format as the Agent documents and parses it (DataDog/datadog-agent
 * comp/dogstatsd/server/parse.go; its tests are this fake's conformance table in
 * integration/test/datadog/dogstatsd-fake.test.ts):
 *
 *   <name>:<value>[:<value>…]|<type>[|@<rate>][|#<tag>,…][|T<unix s>][|c:<container>][|<ext>]
 *
 * several lines per datagram, fields after the type in any order, unknown fields ignored, types
 * c g ms h s d. It stores every sample it parsed and every line it refused (with why), and reads
 * back what the Agent would aggregate: counts summed (values × 1/rate), last gauge, distribution
 * values with their weights (1/rate). It listens on UDP, or on a Unix datagram socket through
 * `unix-dgram` (hot-shots' optional dependency).
 *
 *   node --import tsx src/fakes/dogstatsd-fake.ts --port 8125
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';

export const FAKE_NAME = 'otelpack DogStatsD fake';

export type DogStatsDMetricType = 'c' | 'g' | 'ms' | 'h' | 's' | 'd';

export interface DogStatsDSample {
  name: string;
  /** One or more values (`name:1:2:3|d`); a set's raw value is in `rawValue`. */
  values: number[];
  rawValue: string;
  type: DogStatsDMetricType;
  sampleRate: number;
  tags: string[];
  /** Unix seconds from `|T`, when present. */
  timestampS?: number;
  containerId?: string;
}

interface UnixSocket {
  bind(path: string): void;
  close(): void;
  once(event: 'listening' | 'error', listener: (error?: Error) => void): void;
}

const TYPES = new Set(['c', 'g', 'ms', 'h', 's', 'd']);

/** Parses one line as the Agent does; throws with the reason on a line the Agent refuses. */
export function parseMetricLine(line: string): DogStatsDSample {
  const fields = line.split('|');
  if (fields.length < 2) throw new Error('invalid field number');
  const head = fields[0];
  const colon = head.indexOf(':');
  if (colon <= 0 || colon === head.length - 1) throw new Error('invalid name or value');
  const name = head.slice(0, colon);
  const rawValue = head.slice(colon + 1);
  const type = fields[1];
  if (!TYPES.has(type)) throw new Error(`invalid metric type ${JSON.stringify(type)}`);
  const values: number[] = [];
  if (type !== 's') {
    for (const part of rawValue.split(':')) {
      if (part === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(part)) {
        throw new Error(`invalid value ${JSON.stringify(part)}`);
      }
      values.push(Number(part));
    }
  }
  const sample: DogStatsDSample = {
    name,
    values,
    rawValue,
    type: type as DogStatsDMetricType,
    sampleRate: 1,
    tags: [],
  };
  for (const field of fields.slice(2)) {
    if (field.startsWith('@')) {
      const rate = Number(field.slice(1));
      if (field.length === 1 || !Number.isFinite(rate))
        throw new Error(`invalid sample rate ${field}`);
      sample.sampleRate = rate;
    } else if (field.startsWith('#')) {
      sample.tags = field.length === 1 ? [] : field.slice(1).split(',');
    } else if (field.startsWith('T')) {
      const text = field.slice(1);
      if (!/^\d+$/.test(text)) throw new Error(`invalid timestamp ${JSON.stringify(field)}`);
      sample.timestampS = Number(text);
    } else if (field.startsWith('c:')) {
      sample.containerId = field.slice(2);
    }
    // Other fields (future extensions, `e:`, `card:`) are skipped, as the Agent skips them.
  }
  return sample;
}

/** What the Agent would make of the samples of one context (name + sorted tags). */
export interface ContextView {
  name: string;
  tags: string[];
  type: DogStatsDMetricType;
  /** Counts: Σ value / rate. Gauges: the last value. */
  value: number;
  /** Distributions and histograms: each value with its weight 1/rate. */
  weighted: { value: number; weight: number }[];
  timestamps: number[];
}

export class DogStatsDFake {
  readonly samples: DogStatsDSample[] = [];
  readonly refused: { line: string; reason: string }[] = [];
  readonly datagrams: string[] = [];
  private socket: Socket | undefined;
  private unixSocket: UnixSocket | undefined;

  /** Parses one datagram (lines separated by `\n`) as the Agent does. */
  receive(datagram: string): void {
    this.datagrams.push(datagram);
    for (const line of datagram.split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.samples.push(parseMetricLine(line));
      } catch (error) {
        this.refused.push({ line, reason: (error as Error).message });
      }
    }
  }

  async listenUdp(port = 0, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (message) => this.receive(message.toString('utf8')));
    await new Promise<void>((resolve) => socket.bind(port, host, resolve));
    const address = socket.address();
    return { host: address.address, port: address.port };
  }

  /**
   * Listens on a Unix datagram socket at `path`, as the Agent's `dogstatsd_socket` does, through
   * `unix-dgram` (hot-shots' own optional dependency for UDS; Node has no datagram Unix sockets).
   */
  async listenUds(path: string): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const unix = require('unix-dgram') as {
      createSocket(type: 'unix_dgram', listener: (message: Buffer) => void): UnixSocket;
    };
    const socket = unix.createSocket('unix_dgram', (message) =>
      this.receive(message.toString('utf8')),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('listening', () => resolve());
      socket.once('error', reject);
      socket.bind(path);
    });
    this.unixSocket = socket;
    return path;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.unixSocket?.close();
    this.unixSocket = undefined;
  }

  /** Samples grouped by context, aggregated as the Agent would. */
  contexts(): ContextView[] {
    const byKey = new Map<string, ContextView>();
    for (const s of this.samples) {
      const tags = [...s.tags].sort();
      const key = `${s.name}|${s.type}|${tags.join(',')}`;
      let view = byKey.get(key);
      if (!view) {
        view = { name: s.name, tags, type: s.type, value: 0, weighted: [], timestamps: [] };
        byKey.set(key, view);
      }
      if (s.timestampS !== undefined) view.timestamps.push(s.timestampS);
      for (const value of s.values) {
        if (s.type === 'c') view.value += value / s.sampleRate;
        else if (s.type === 'g') view.value = value;
        else view.weighted.push({ value, weight: 1 / s.sampleRate });
      }
    }
    return [...byKey.values()];
  }

  /** The one context with this name and these tags (order-free), or undefined. */
  context(name: string, tags: string[] = []): ContextView | undefined {
    const wanted = [...tags].sort().join(',');
    return this.contexts().find((c) => c.name === name && c.tags.join(',') === wanted);
  }

  async waitForSamples(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.samples.length + this.refused.length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${FAKE_NAME}: ${this.samples.length} samples after ${timeoutMs} ms, wanted ${count}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const fake = new DogStatsDFake();
  const { host, port } = await fake.listenUdp(at >= 0 ? Number(process.argv[at + 1]) : 8125);
  process.stdout.write(`udp://${host}:${port} (${FAKE_NAME})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
