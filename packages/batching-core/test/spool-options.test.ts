import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { InvalidConfigError } from '../src';
import { resolveSpoolOptions, spoolFromText } from '../src/spool/options';

const texts: { text: string; parsed: object }[] = [
  { text: '/var/spool/otelpack', parsed: { directory: '/var/spool/otelpack' } },
  { text: ' /var/spool/otelpack ', parsed: { directory: '/var/spool/otelpack' } },
  {
    text: 'directory=/s,fsync=always,maxBytes=268435456',
    parsed: { directory: '/s', fsync: 'always', maxBytes: 268435456 },
  },
  { text: 'directory=/s, segmentBytes=4096', parsed: { directory: '/s', segmentBytes: 4096 } },
];
for (const { text, parsed } of texts) {
  test(`OTELPACK_X_SPOOL=${JSON.stringify(text)}`, () =>
    assert.deepEqual(spoolFromText(text, 'OTELPACK_X_SPOOL'), parsed));
}

test('OTELPACK_X_SPOOL=false is off, as the option false is, not a directory named false', () => {
  for (const text of ['false', 'FALSE', ' False ']) {
    assert.equal(spoolFromText(text, 'OTELPACK_X_SPOOL'), false);
  }
  assert.equal(
    resolveSpoolOptions(spoolFromText('false', 'OTELPACK_X_SPOOL'), 'n', 'logs'),
    undefined,
  );
  assert.throws(
    () => spoolFromText('true', 'OTELPACK_X_SPOOL'),
    (error: unknown) =>
      error instanceof InvalidConfigError &&
      error.message.startsWith('OTELPACK_X_SPOOL: names no directory'),
  );
});

test('the spool directory of an exporter is <directory>/<name>-<signal>, made safe as one path segment', () => {
  assert.equal(resolveSpoolOptions('/s', 'es', 'logs')?.directory, join('/s', 'es-logs'));
  assert.equal(
    resolveSpoolOptions('/s', '../x y', 'traces')?.directory,
    join('/s', '.._x_y-traces'),
  );
  assert.equal(
    resolveSpoolOptions('rel', 'n', 'metrics')?.directory,
    join(resolve('rel'), 'n-metrics'),
  );
  assert.equal(resolveSpoolOptions(undefined, 'n', 'logs'), undefined);
});

const refused: { value: unknown; option: string }[] = [
  { value: {}, option: 'spool.directory' },
  { value: { directory: '' }, option: 'spool.directory' },
  { value: { directory: '/s', fsync: 'sometimes' }, option: 'spool.fsync' },
  { value: { directory: '/s', maxBytes: 10 }, option: 'spool.maxBytes' },
  { value: { directory: '/s', codec: { encode: 1 } }, option: 'spool.codec' },
  { value: { directory: '/s', dir: '/t' }, option: 'spool.dir' },
  { value: 42, option: 'spool' },
];
for (const { value, option } of refused) {
  test(`spool ${JSON.stringify(value)} is refused, naming ${option}`, () =>
    assert.throws(
      () => resolveSpoolOptions(value, 'n', 'logs'),
      (error: unknown) => error instanceof InvalidConfigError && error.option === option,
    ));
}
