import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTransformStage } from '../src';
import type {
  ReadableLogRecordLike,
  ReadableSpanLike,
  RedactionOptions,
  ResourceMetricsLike,
} from '../src';
import { deepFreeze, logRecord, resourceMetrics, span } from './helpers/transform-items';

/*
 * The redaction preset against the Collector's redaction processor tests
 * (processor/redactionprocessor/processor_test.go): the same configurations and attributes, on
 * span, log and data point attributes, with the built-in patterns off where the Collector has none.
 */

const SOURCE = 'processor/redactionprocessor/processor_test.go';
const CARD = '4[0-9]{12}(?:[0-9]{3})?';

function redactAll(redaction: RedactionOptions, attributes: Record<string, string | number>) {
  const stage = createTransformStage({ redaction }, 'test')!;
  const spanOut = stage.apply('traces', deepFreeze([span({ attributes })]))
    .items[0] as ReadableSpanLike;
  const logOut = stage.apply('logs', deepFreeze([logRecord({ attributes })]))
    .items[0] as ReadableLogRecordLike;
  const metricOut = stage.apply(
    'metrics',
    deepFreeze([resourceMetrics([{ attributes, value: 1 }])]),
  ).items[0] as ResourceMetricsLike;
  return [
    { ...spanOut.attributes },
    { ...logOut.attributes },
    { ...metricOut.scopeMetrics[0].metrics[0].dataPoints[0].attributes },
  ];
}

const rows: {
  name: string;
  config: RedactionOptions;
  input: Record<string, string | number>;
  expected: Record<string, unknown>;
}[] = [
  {
    name: 'TestRedactUnknownAttributes',
    config: { allowedKeys: ['group', 'id', 'name'], builtIn: [], summary: 'silent' },
    input: { group: 'temporary', id: 5, name: 'placeholder', credit_card: '4111111111111111' },
    expected: { group: 'temporary', id: 5, name: 'placeholder' },
  },
  {
    name: 'TestAllowAllKeys',
    config: { builtIn: [], summary: 'silent' },
    input: { group: 'temporary', id: 5, name: 'placeholder' },
    expected: { group: 'temporary', id: 5, name: 'placeholder' },
  },
  {
    name: 'TestAllowAllKeysMaskValues',
    config: { blockedValues: [CARD], builtIn: [], summary: 'silent' },
    input: {
      group: 'temporary',
      id: 5,
      name: 'placeholder',
      credit_card: 'placeholder 4111111111111111',
    },
    expected: { group: 'temporary', id: 5, name: 'placeholder', credit_card: 'placeholder ****' },
  },
  {
    name: 'TestRedactSummaryDebug',
    config: {
      allowedKeys: ['id', 'group', 'name', 'group.id', 'member (id)'],
      blockedValues: [CARD],
      ignoredKeys: ['safe_attribute'],
      builtIn: [],
      summary: 'debug',
    },
    input: {
      id: 5,
      'group.id': 'some.valid.id',
      'member (id)': 'some other valid id',
      name: 'placeholder 4111111111111111',
      safe_attribute: 'harmless 4111111111111112',
      credit_card: '4111111111111111',
    },
    expected: {
      id: 5,
      'group.id': 'some.valid.id',
      'member (id)': 'some other valid id',
      name: 'placeholder ****',
      safe_attribute: 'harmless 4111111111111112',
      'redaction.redacted.keys': 'credit_card',
      'redaction.redacted.count': 1,
      'redaction.masked.keys': 'name',
      'redaction.masked.count': 1,
      'redaction.ignored.count': 1,
    },
  },
  {
    name: 'TestRedactSummaryInfo',
    config: {
      allowedKeys: ['id', 'name', 'group'],
      blockedValues: [CARD],
      ignoredKeys: ['safe_attribute'],
      builtIn: [],
      summary: 'info',
    },
    input: {
      id: 5,
      safe_attribute: 'harmless but suspicious 4111111111111141',
      name: 'placeholder 4111111111111111',
      credit_card: '4111111111111111',
    },
    expected: {
      id: 5,
      safe_attribute: 'harmless but suspicious 4111111111111141',
      name: 'placeholder ****',
      'redaction.redacted.count': 1,
      'redaction.masked.count': 1,
      'redaction.ignored.count': 1,
    },
  },
  {
    name: 'TestRedactSummarySilent',
    config: {
      allowedKeys: ['id', 'name', 'group'],
      blockedValues: [CARD],
      builtIn: [],
      summary: 'silent',
    },
    input: { id: 5, name: 'placeholder 4111111111111111', credit_card: '4111111111111111' },
    expected: { id: 5, name: 'placeholder ****' },
  },
];

describe('redaction preset: the Collector’s redaction processor cases', () => {
  for (const row of rows) {
    it(`${row.name} (${SOURCE}) on span, log and data point attributes`, () => {
      for (const out of redactAll(row.config, row.input)) assert.deepEqual(out, row.expected);
    });
  }
});

describe('redaction preset: built-in patterns, hashing, bodies and resources (ours)', () => {
  const stage = createTransformStage({ redaction: { summary: 'silent' } }, 'test')!;
  const masked = (text: string) =>
    (stage.apply('logs', [logRecord({ body: text })]).items[0] as ReadableLogRecordLike).body;

  const builtIns: [string, string, string][] = [
    ['a Visa number', 'paid with 4111 1111 1111 1111 today', 'paid with **** today'],
    ['a Mastercard number with dashes', 'card 5555-5555-5555-4444', 'card ****'],
    [
      'an order number failing Luhn’s check is kept',
      'order 1234567890123456',
      'order 1234567890123456',
    ],
    ['an e-mail address', 'from ann.lee+x@example.co.uk ok', 'from **** ok'],
    [
      'a bearer token, scheme word kept',
      'Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig-_x=',
      'Authorization: Bearer ****',
    ],
    ['text without any', 'GET /cart 200', 'GET /cart 200'],
  ];
  for (const [name, input, expected] of builtIns) {
    it(name, () => assert.equal(masked(input), expected));
  }

  it('hashFunction replaces with the hex digest of what matched', () => {
    const hashing = createTransformStage(
      { redaction: { hashFunction: 'sha256', summary: 'silent' } },
      'test',
    )!;
    const out = hashing.apply('logs', [logRecord({ body: 'to ann@example.com' })])
      .items[0] as ReadableLogRecordLike;
    assert.equal(out.body, `to ${createHash('sha256').update('ann@example.com').digest('hex')}`);
  });

  it('redacts resource attributes and map bodies; the SDK’s objects stay as they were', () => {
    const item = deepFreeze(
      logRecord({
        body: { msg: 'token Bearer abc.def', n: 1 },
        resource: { attributes: { owner: 'ops@example.com' } },
      }),
    );
    const result = stage.apply('logs', [item]);
    const out = result.items[0] as ReadableLogRecordLike;
    assert.deepEqual(out.body, { msg: 'token Bearer ****', n: 1 });
    assert.equal(out.resource.attributes.owner, '****');
    assert.equal(result.redacted, 2);
    assert.equal(item.resource.attributes.owner, 'ops@example.com');
  });

  it('a map body’s value under the key `__proto__` is masked like any other', () => {
    const body = JSON.parse('{"__proto__": "mail ann@example.com", "n": 1}') as Record<
      string,
      unknown
    >;
    const item = deepFreeze(logRecord({ body: body as never }));
    const out = stage.apply('logs', [item]).items[0] as ReadableLogRecordLike;
    const written = out.body as Record<string, unknown>;
    assert.equal(Object.getOwnPropertyDescriptor(written, '__proto__')?.value, 'mail ****');
    assert.equal(Object.getPrototypeOf(written), Object.prototype);
  });

  it('allowedValues keep a value the patterns would mask; blockedKeyPatterns mask whole values', () => {
    const s = createTransformStage(
      {
        redaction: {
          allowedValues: ['@example\\.com$'],
          blockedKeyPatterns: ['^password$'],
          summary: 'silent',
        },
      },
      'test',
    )!;
    const out = s.apply('traces', [
      span({ attributes: { a: 'x@example.com', b: 'y@corp.io', password: 'hunter2' } }),
    ]).items[0] as ReadableSpanLike;
    assert.deepEqual({ ...out.attributes }, { a: 'x@example.com', b: '****', password: '****' });
  });

  it('bad options are construction errors naming the field', () => {
    assert.throws(
      () => createTransformStage({ redaction: { blockedValues: ['('] } }, 'test'),
      /transform\.redaction\.blockedValues\[0\]: error parsing regexp/,
    );
    assert.throws(
      () => createTransformStage({ redaction: { builtIn: ['iban'] } } as never, 'test'),
      /transform\.redaction\.builtIn: unknown pattern "iban"/,
    );
    // Names Object.prototype has are not patterns either.
    for (const name of ['constructor', 'toString', '__proto__']) {
      assert.throws(
        () => createTransformStage({ redaction: { builtIn: [name] } } as never, 'test'),
        new RegExp(`transform\\.redaction\\.builtIn: unknown pattern "${name}"`),
      );
    }
    assert.throws(
      () => createTransformStage({ redaction: { summary: 'loud' } } as never, 'test'),
      /transform\.redaction\.summary/,
    );
  });

  it('statements run first, the redaction last: a value a statement copies is redacted too', () => {
    const s = createTransformStage(
      { span: ['set(attributes["copy"], attributes["user"])'], redaction: { summary: 'silent' } },
      'test',
    )!;
    const out = s.apply('traces', [span({ attributes: { user: 'ann@example.com' } })])
      .items[0] as ReadableSpanLike;
    assert.deepEqual({ ...out.attributes }, { user: '****', copy: '****' });
  });

  it('a value under the key `__proto__` is masked like any other', () => {
    const s = createTransformStage(
      {
        span: ['set(attributes["__proto__"], "ann@example.com")'],
        redaction: { summary: 'debug' },
      },
      'test',
    )!;
    const out = s.apply('traces', [span({ attributes: { user: 'bob' } })])
      .items[0] as ReadableSpanLike;
    const attributes = out.attributes as Record<string, unknown>;
    assert.equal(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value, '****');
    assert.equal(attributes['redaction.masked.keys'], '__proto__');
    assert.ok(!JSON.stringify(Object.entries(attributes)).includes('ann@example.com'));
  });
});
