import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  REDACTED,
  SECRET_HEADER_NAMES,
  isSecretHeader,
  redact,
  redactUrl,
  secretsInHeaders,
  secretsInUrl,
} from '../src/http/redact';

describe('isSecretHeader', () => {
  const secret = [
    'authorization',
    'Authorization',
    'AUTHORIZATION',
    'proxy-authorization',
    'api-key',
    'Api-Key',
    'x-api-key',
    'dd-api-key',
    'DD-API-KEY',
    'dd-application-key',
    'x-license-key',
    'x-insert-key',
    'lightstep-access-token',
    'x-splunk-token',
    'cookie',
    'set-cookie',
  ];
  const plain = [
    'content-type',
    'user-agent',
    'x-request-id',
    'accept',
    'content-encoding',
    'api-version',
    'keyword',
  ];
  for (const name of secret)
    test(`${name} is a credential header`, () => assert.equal(isSecretHeader(name), true));
  for (const name of plain) test(`${name} is not`, () => assert.equal(isSecretHeader(name), false));

  test('the set holds lowercase names only', () => {
    for (const name of SECRET_HEADER_NAMES) assert.equal(name, name.toLowerCase());
  });
});

describe('secretsInHeaders', () => {
  const cases: {
    name: string;
    headers: Record<string, string | string[] | undefined>;
    expected: string[];
  }[] = [
    {
      name: 'Bearer: whole value and bare token',
      headers: { authorization: 'Bearer eyJhbGciOi.payload.sig' },
      expected: ['Bearer eyJhbGciOi.payload.sig', 'eyJhbGciOi.payload.sig'],
    },
    {
      name: 'Basic: whole value and the base64 part',
      headers: { Authorization: 'Basic dXNlcjpodW50ZXIy' },
      expected: ['Basic dXNlcjpodW50ZXIy', 'dXNlcjpodW50ZXIy'],
    },
    {
      name: 'ApiKey scheme',
      headers: { authorization: 'ApiKey c2VjcmV0LWVzLWtleQ==' },
      expected: ['ApiKey c2VjcmV0LWVzLWtleQ==', 'c2VjcmV0LWVzLWtleQ=='],
    },
    {
      name: 'Splunk scheme',
      headers: { authorization: 'Splunk 11111111-2222-3333-4444-555555555555' },
      expected: [
        'Splunk 11111111-2222-3333-4444-555555555555',
        '11111111-2222-3333-4444-555555555555',
      ],
    },
    {
      name: 'api-key (New Relic)',
      headers: { 'api-key': 'NRAK-ABCDEF123456' },
      expected: ['NRAK-ABCDEF123456'],
    },
    {
      name: 'DD-API-KEY, any case',
      headers: { 'DD-API-KEY': 'ddkey0123456789' },
      expected: ['ddkey0123456789'],
    },
    {
      name: 'x-splunk-token',
      headers: { 'x-splunk-token': 'hec-token-xyz' },
      expected: ['hec-token-xyz'],
    },
    {
      name: 'lightstep-access-token',
      headers: { 'lightstep-access-token': 'lsToken/abc+def==' },
      expected: ['lsToken/abc+def=='],
    },
    { name: 'x-api-key', headers: { 'x-api-key': 'k-12345' }, expected: ['k-12345'] },
    {
      name: 'array values (set-cookie)',
      headers: { 'set-cookie': ['session=abcdef', 'other=123456'] },
      expected: ['session=abcdef', 'other=123456'],
    },
    {
      name: 'plain headers are not secrets',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'otelpack 1.0',
        'x-request-id': 'req-123456',
      },
      expected: [],
    },
    { name: 'undefined values are skipped', headers: { authorization: undefined }, expected: [] },
    { name: 'values under 4 characters are not kept', headers: { 'api-key': 'abc' }, expected: [] },
    {
      name: 'a bare token under 4 characters is not kept, the whole value is',
      headers: { authorization: 'Bearer xyz' },
      expected: ['Bearer xyz'],
    },
    {
      name: 'mixed: only the credential headers',
      headers: {
        'content-type': 'text/plain',
        'Api-Key': 'nr-license-0001',
        authorization: 'Bearer tkn-42-abc',
      },
      expected: ['nr-license-0001', 'Bearer tkn-42-abc', 'tkn-42-abc'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(secretsInHeaders(c.headers), c.expected));
  }
});

describe('secretsInUrl', () => {
  const cases: { name: string; url: string; expected: string[] }[] = [
    {
      name: 'user and password',
      url: 'https://elastic:hunter2@es.example:9200/',
      expected: ['elastic', 'hunter2'],
    },
    {
      name: 'percent-encoded password: both forms',
      url: 'https://bob:p%40ss%3Aw0rd@host/',
      expected: ['bob', 'p@ss:w0rd', 'p%40ss%3Aw0rd'],
    },
    { name: 'user only', url: 'https://tokenuser@host/', expected: ['tokenuser'] },
    { name: '?api_key=', url: 'https://host/x?api_key=KEY-0123456', expected: ['KEY-0123456'] },
    { name: '&token=', url: 'https://host/x?a=1&token=TOK-abcdef', expected: ['TOK-abcdef'] },
    {
      name: 'every token-like parameter name, any case',
      url: 'https://host/?API_KEY=aaaa1&apikey=bbbb2&api-key=cccc3&access_token=dddd4&Access-Token=eeee5&auth=ffff6&password=gggg7&passwd=hhhh8&secret=iiii9&license_key=jjjj0&signature=kkkk1&sig=llll2',
      expected: [
        'aaaa1',
        'bbbb2',
        'cccc3',
        'dddd4',
        'eeee5',
        'ffff6',
        'gggg7',
        'hhhh8',
        'iiii9',
        'jjjj0',
        'kkkk1',
        'llll2',
      ],
    },
    {
      name: 'other parameters are not secrets',
      url: 'https://host/?page=123456&index=logs-abc',
      expected: [],
    },
    { name: 'short parameter values are not kept', url: 'https://host/?token=abc', expected: [] },
    { name: 'no credentials at all', url: 'http://127.0.0.1:4318/v1/traces', expected: [] },
    {
      name: 'everything at once',
      url: 'https://u1:pw-123@host:8088/services/collector?token=t-98765&channel=abc',
      expected: ['u1', 'pw-123', 't-98765'],
    },
  ];
  for (const c of cases) {
    test(c.name, () =>
      assert.deepEqual(new Set(secretsInUrl(new URL(c.url))), new Set(c.expected)),
    );
  }
});

describe('redact: known secrets', () => {
  test('every occurrence of a known secret is replaced', () => {
    assert.equal(
      redact('token s3cr3t-value rejected; retry with s3cr3t-value later', ['s3cr3t-value']),
      `token ${REDACTED} rejected; retry with ${REDACTED} later`,
    );
  });

  test('longest first: a secret containing a shorter one is replaced whole', () => {
    // Given shortest first, a naive replace would leave "EFGH" of the longer secret behind.
    const out = redact('keys: abcd-EFGH and abcd', ['abcd', 'abcd-EFGH']);
    assert.equal(out, `keys: ${REDACTED} and ${REDACTED}`);
    assert.ok(!out.includes('EFGH'));
  });

  test('longest first: the whole Authorization value before the bare token', () => {
    const secrets = secretsInHeaders({ authorization: 'Bearer tok-12345678' });
    assert.equal(
      redact('sent "Bearer tok-12345678", server saw tok-12345678', secrets),
      `sent "${REDACTED}", server saw ${REDACTED}`,
    );
  });

  test('secrets with regular-expression characters are matched literally', () => {
    assert.equal(redact('key a.b*c+d?(e) and axbxc', ['a.b*c+d?(e)']), `key ${REDACTED} and axbxc`);
  });

  test('empty secrets are ignored', () => {
    assert.equal(redact('nothing to hide', ['']), 'nothing to hide');
  });

  test('text without secrets is unchanged', () => {
    const text = 'HTTP 503: service unavailable, try again at https://status.example.com/page?id=7';
    assert.equal(redact(text, ['not-present-1234']), text);
  });
});

describe('redact: credential-shaped text it was never told about', () => {
  const cases: { name: string; text: string; expected: string }[] = [
    {
      name: 'URL user:password',
      text: 'connect to https://elastic:changeme@es.local:9200/_bulk failed',
      expected: `connect to https://${REDACTED}@es.local:9200/_bulk failed`,
    },
    {
      name: 'URL user only',
      text: 'GET http://tokenonly@host/path',
      expected: `GET http://${REDACTED}@host/path`,
    },
    {
      name: 'URL with no user info is unchanged',
      text: 'POST https://es.local:9200/_bulk?refresh=true returned 500',
      expected: 'POST https://es.local:9200/_bulk?refresh=true returned 500',
    },
    {
      name: 'an e-mail address is not a URL',
      text: 'contact ops@example.com',
      expected: 'contact ops@example.com',
    },
    {
      name: '?api_key=',
      text: 'https://host/v1?api_key=ABCDEF123&region=eu',
      expected: `https://host/v1?api_key=${REDACTED}&region=eu`,
    },
    {
      name: '&token=',
      text: 'https://host/v1?x=1&token=abc.def-ghi#frag',
      expected: `https://host/v1?x=1&token=${REDACTED}#frag`,
    },
    {
      name: 'query parameter names in any case',
      text: '/x?ApiKey=k1k1k1&ACCESS_TOKEN=t2t2t2&Sig=s3s3s3',
      expected: `/x?ApiKey=${REDACTED}&ACCESS_TOKEN=${REDACTED}&Sig=${REDACTED}`,
    },
    {
      name: 'a query value stops at a quote',
      text: `url "https://h/?password=hunter2" denied`,
      expected: `url "https://h/?password=${REDACTED}" denied`,
    },
    {
      name: 'harmless parameters are kept',
      text: '/search?q=tokens&page=2',
      expected: '/search?q=tokens&page=2',
    },
    {
      name: 'Bearer token',
      text: 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc_def-123',
      expected: `Authorization: Bearer ${REDACTED}`,
    },
    {
      name: 'Basic credentials',
      text: 'header was Basic dXNlcjpwYXNzd29yZA== (rejected)',
      expected: `header was Basic ${REDACTED} (rejected)`,
    },
    {
      name: 'ApiKey, Api-Token, Splunk and GenieKey schemes',
      text: 'ApiKey aGVsbG8= Api-Token dt0c01.ABC.DEF Splunk 1234-5678 GenieKey abcd1234',
      expected: `ApiKey ${REDACTED} Api-Token ${REDACTED} Splunk ${REDACTED} GenieKey ${REDACTED}`,
    },
    {
      name: 'a scheme word followed by a short word is not a credential',
      text: 'Bearer abc',
      expected: 'Bearer abc',
    },
    {
      name: 'several kinds in one line',
      text: 'POST https://u:p4ss@h/x?token=zzzz9 with Bearer qqqq-8888',
      expected: `POST https://${REDACTED}@h/x?token=${REDACTED} with Bearer ${REDACTED}`,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(redact(c.text), c.expected));
  }
});

describe('redactUrl', () => {
  const cases: { url: string | URL; expected: string }[] = [
    {
      url: new URL('https://user:pa55word@es.example.com:9200/prefix?api_key=KEY123456&x=1'),
      expected: `https://${REDACTED}@es.example.com:9200/prefix?api_key=${REDACTED}&x=1`,
    },
    { url: 'http://127.0.0.1:8080/path', expected: 'http://127.0.0.1:8080/path' },
    {
      url: 'https://ingest.example/v1?token=abcdef&sig=zyxw',
      expected: `https://ingest.example/v1?token=${REDACTED}&sig=${REDACTED}`,
    },
  ];
  for (const c of cases) {
    test(String(c.url).replace(/[?:@]/g, ' '), () => {
      const out = redactUrl(c.url);
      assert.equal(out, c.expected);
      for (const secret of ['pa55word', 'KEY123456', 'abcdef', 'zyxw'])
        assert.ok(!out.includes(secret));
    });
  }
});
