import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HOST_METADATA_FILE,
  JSON_INDIRECTION_FILE,
  PROPERTIES_INDIRECTION_FILE,
  parseProperties,
  readOneAgentMetadata,
} from '../src';

/** A file system of the given files; reading any other is ENOENT, as without a OneAgent. */
function files(contents: Record<string, string>) {
  return (path: string): string => {
    if (path in contents) return contents[path];
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  };
}

// The shapes of the utilities' test data (dynatrace-metric-utils-js test/enrichment_data,
// dynatrace-metric-utils-go oneagentenrichment/testdata, -java src/test/resources).
describe('OneAgent metadata', () => {
  const cases: {
    title: string;
    files: Record<string, string>;
    expected: Record<string, string>;
  }[] = [
    { title: 'no OneAgent: nothing', files: {}, expected: {} },
    {
      title: 'the JSON indirection (JS utilities)',
      files: {
        [JSON_INDIRECTION_FILE]: '/tmp/dt_metadata.json',
        '/tmp/dt_metadata.json':
          '{"dt.entity.process_group_instance":"PROCESS_GROUP_INSTANCE-1","n":1}',
      },
      expected: { 'dt.entity.process_group_instance': 'PROCESS_GROUP_INSTANCE-1' },
    },
    {
      title: 'the properties indirection (Go and Java utilities)',
      files: {
        [PROPERTIES_INDIRECTION_FILE]: '/tmp/dt_metadata.properties\n',
        '/tmp/dt_metadata.properties':
          'dt.entity.host=HOST-1\n# a comment\ndt.entity.process_group_instance = PGI-2\nempty=\n=novalue\n',
      },
      expected: { 'dt.entity.host': 'HOST-1', 'dt.entity.process_group_instance': 'PGI-2' },
    },
    {
      title: 'an empty indirection: the host file newer OneAgents write (Java utilities)',
      files: { [PROPERTIES_INDIRECTION_FILE]: '', [HOST_METADATA_FILE]: 'dt.entity.host=HOST-3' },
      expected: { 'dt.entity.host': 'HOST-3' },
    },
    {
      title: 'an indirection to a missing file: nothing, no error',
      files: { [JSON_INDIRECTION_FILE]: '/nowhere.json' },
      expected: {},
    },
    {
      title: 'a broken JSON file: the properties form is tried',
      files: {
        [JSON_INDIRECTION_FILE]: '/tmp/a.json',
        '/tmp/a.json': '{not json',
        [PROPERTIES_INDIRECTION_FILE]: '/tmp/b.properties',
        '/tmp/b.properties': 'k=v',
      },
      expected: { k: 'v' },
    },
  ];
  for (const c of cases) {
    it(c.title, () => assert.deepEqual(readOneAgentMetadata(files(c.files)), c.expected));
  }

  it('parseProperties: = or : separates', () => {
    assert.deepEqual(parseProperties('a=1\nb: 2\n! c=3'), { a: '1', b: '2' });
  });
});

describe('OneAgent metadata: a key named __proto__', () => {
  const own = (metadata: Record<string, string>) =>
    Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value as unknown;
  it('is kept from the properties form', () => {
    assert.equal(own(parseProperties('__proto__=x\na=b')), 'x');
  });
  it('is kept from the JSON form', () => {
    const read = files({
      [JSON_INDIRECTION_FILE]: '/meta.json',
      '/meta.json': '{"__proto__":"y"}',
    });
    assert.equal(own(readOneAgentMetadata(read)), 'y');
  });
});
