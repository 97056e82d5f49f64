import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClickHouseError } from '@clickhouse/client';
import {
  classifyCode,
  classifyHttpStatus,
  classifyThrown,
  parseClickHouseMessage,
} from '../src/sender/classify';

test("ClickHouse's exception text is parsed into code, name and message", () => {
  assert.deepEqual(
    parseClickHouseMessage(
      'Code: 60. DB::Exception: Table otel.nope does not exist. Maybe you meant otel.otel_logs?. (UNKNOWN_TABLE) (version 26.7.2.1)\n',
    ),
    {
      code: 60,
      name: 'UNKNOWN_TABLE',
      message: 'Table otel.nope does not exist. Maybe you meant otel.otel_logs?.',
    },
  );
  assert.deepEqual(
    parseClickHouseMessage(
      'Code: 252. DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts. (TOO_MANY_PARTS) (version 24.8.1.1 (official build))',
    ),
    {
      code: 252,
      name: 'TOO_MANY_PARTS',
      message: 'Too many parts (300). Merges are processing significantly slower than inserts.',
    },
  );
  assert.equal(parseClickHouseMessage('<html>502 Bad Gateway</html>'), undefined);
});

test('retryable codes: load, limits, timeouts, replication; the overload ones signal back-pressure', () => {
  const cases: [number, boolean][] = [
    [252, true], // TOO_MANY_PARTS
    [241, true], // MEMORY_LIMIT_EXCEEDED
    [159, true], // TIMEOUT_EXCEEDED
    [209, true], // SOCKET_TIMEOUT
    [202, true], // TOO_MANY_SIMULTANEOUS_QUERIES
    [210, false], // NETWORK_ERROR
    [242, false], // TABLE_IS_READ_ONLY
    [319, false], // UNKNOWN_STATUS_OF_INSERT
    [999, false], // KEEPER_EXCEPTION
  ];
  for (const [code, backpressure] of cases) {
    const failure = classifyCode(code, undefined, 'x');
    assert.equal(failure.retryable, true, String(code));
    assert.equal(failure.backpressure, backpressure, String(code));
    assert.equal(failure.hostFault, false, String(code));
  }
});

test('permanent codes: missing table, bad data, bad SQL, refused access', () => {
  for (const code of [60, 81, 53, 62, 27, 6, 16, 117, 192, 516, 497, 164]) {
    assert.equal(classifyCode(code, undefined, 'x').retryable, false, String(code));
  }
  assert.equal(
    classifyCode(53, 'TYPE_MISMATCH', 'Type mismatch in Map', 400).reason,
    'ClickHouse error 53 TYPE_MISMATCH (HTTP 400): Type mismatch in Map',
  );
  assert.equal(
    classifyCode(60, undefined, 'gone').reason,
    'ClickHouse error 60 UNKNOWN_TABLE: gone',
  );
});

test("unknown codes follow ClickHouse's HTTP status, and are retried when there is none", () => {
  assert.equal(classifyCode(4242, 'NEW_THING', 'x', 400).retryable, false);
  assert.equal(classifyCode(4242, 'NEW_THING', 'x', 500).retryable, true);
  assert.equal(classifyCode(4242, 'NEW_THING', 'x', 429).retryable, true);
  assert.equal(classifyCode(4242, 'NEW_THING', 'x').retryable, true);
});

test("a proxy's answers: 502/503/504 move to the next host, Retry-After is honoured, 401 is final", () => {
  const unavailable = classifyHttpStatus(503, '7', 'upstream down');
  assert.deepEqual(unavailable, {
    retryable: true,
    backpressure: true,
    reason: 'HTTP 503: upstream down',
    hostFault: true,
    retryAfterMs: 7000,
  });
  assert.equal(classifyHttpStatus(429, undefined, '').hostFault, false);
  assert.equal(classifyHttpStatus(429, undefined, '').backpressure, true);
  assert.deepEqual(classifyHttpStatus(401, undefined, 'no'), {
    retryable: false,
    backpressure: false,
    reason: 'HTTP 401: no',
    hostFault: false,
  });
});

test("thrown errors: the client's ClickHouseError, timeouts, network and TLS failures", () => {
  const server = classifyThrown(
    new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' }),
  );
  assert.deepEqual(server, {
    retryable: true,
    backpressure: true,
    reason: 'ClickHouse error 252 TOO_MANY_PARTS: Too many parts',
    code: 252,
    hostFault: false,
  });
  assert.equal(
    classifyThrown(new ClickHouseError({ message: 'no table', code: '60', type: 'UNKNOWN_TABLE' }))
      .retryable,
    false,
  );
  assert.deepEqual(classifyThrown(new Error('Timeout error.')), {
    retryable: true,
    backpressure: true,
    reason: 'request timed out',
    hostFault: true,
  });
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.deepEqual(classifyThrown(reset), {
    retryable: true,
    backpressure: false,
    reason: 'socket hang up (ECONNRESET)',
    hostFault: true,
  });
  const tls = Object.assign(new Error('self-signed certificate'), {
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  });
  assert.equal(classifyThrown(tls).retryable, false);
  assert.equal(classifyThrown('weird').retryable, true);
  assert.equal(
    classifyThrown(
      new Error(
        'Code: 62. DB::Exception: Syntax error: failed at position 1 (SYNTAX_ERROR) (version 26.7.2.1)',
      ),
    ).reason,
    'ClickHouse error 62 SYNTAX_ERROR: Syntax error: failed at position 1',
  );
});
