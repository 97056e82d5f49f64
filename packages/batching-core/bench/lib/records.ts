/**
 * Records shaped like what an exporter's mapping hands to the core: a log document with a few
 * string fields, about 200 bytes as JSON. Fields that vary per record in real traffic (time,
 * ids, message) are unique strings; fields that repeat (severity, service) are shared, as they
 * would be in a real process.
 */
export interface BenchRecord {
  timestamp: string;
  severity: string;
  service: string;
  traceId: string;
  spanId: string;
  message: string;
}

const SEVERITIES = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
const ROUTES = ['/api/orders', '/api/cart', '/api/users', '/healthz', '/api/payments/authorize'];

/** A deterministic generator: every run measures the same records. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, length: number): string {
  let text = '';
  while (text.length < length)
    text += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return text.slice(0, length);
}

export function makeRecords(count: number, seed = 42): BenchRecord[] {
  const random = prng(seed);
  const startMs = Date.UTC(2025, 0, 1);
  const records: BenchRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const route = ROUTES[i % ROUTES.length];
    // Built as JSON and parsed so that every string is flat and owned by its record, as after a
    // mapping from SDK objects; concatenated strings would be V8 cons-strings of shared parts.
    const json = JSON.stringify({
      timestamp: new Date(startMs + i * 7).toISOString(),
      severity: SEVERITIES[i % SEVERITIES.length],
      service: 'checkout',
      traceId: hex(random, 32),
      spanId: hex(random, 16),
      message: `POST ${route}/${Math.floor(random() * 1e6)} answered 200 in ${Math.floor(random() * 900)} ms`,
    });
    const parsed = JSON.parse(json) as BenchRecord;
    parsed.severity = SEVERITIES[i % SEVERITIES.length];
    parsed.service = 'checkout';
    records[i] = parsed;
  }
  return records;
}

/** A cheap estimate of the JSON size, as an exporter's sizeOf would be: no encoding per call. */
export function estimateBytes(record: BenchRecord): number {
  return (
    80 +
    record.timestamp.length +
    record.severity.length +
    record.service.length +
    record.traceId.length +
    record.spanId.length +
    record.message.length
  );
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Mean JSON length, reported next to the results so that "small record" has a number. */
export function meanJsonBytes(records: readonly BenchRecord[]): number {
  let total = 0;
  for (const record of records) total += Buffer.byteLength(JSON.stringify(record));
  return total / records.length;
}
