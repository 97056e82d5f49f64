import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTransformStage } from '../src';
import { tokenize } from '../src/transform/lexer';
import { parseCondition, parseStatement } from '../src/transform/parser';

/*
 * The grammar, as the Collector's own tests define it: the lexer's cases and the statements and
 * conditions its parser accepts or refuses, each row naming the file it comes from.
 */

const LEXER = 'pkg/ottl/lexer_test.go';
const lexerRows: { source: string; input: string; tokens?: [string, string][]; error?: true }[] = [
  { source: LEXER, input: 'abc', tokens: [['Lowercase', 'abc']] },
  { source: LEXER, input: 'ABC', tokens: [['Uppercase', 'ABC']] },
  {
    source: LEXER,
    input: '3==4.9',
    tokens: [
      ['Int', '3'],
      ['OpComparison', '=='],
      ['Float', '4.9'],
    ],
  },
  {
    source: LEXER,
    input: '3!=4.9',
    tokens: [
      ['Int', '3'],
      ['OpComparison', '!='],
      ['Float', '4.9'],
    ],
  },
  {
    source: LEXER,
    input: 'foo bar BAZZ',
    tokens: [
      ['Lowercase', 'foo'],
      ['Lowercase', 'bar'],
      ['Uppercase', 'BAZZ'],
    ],
  },
  {
    source: LEXER,
    input: 'iphone android',
    tokens: [
      ['Lowercase', 'iphone'],
      ['Lowercase', 'android'],
    ],
  },
  {
    source: LEXER,
    input: 'iphone and roid',
    tokens: [
      ['Lowercase', 'iphone'],
      ['OpAnd', 'and'],
      ['Lowercase', 'roid'],
    ],
  },
  {
    source: LEXER,
    input: 'oreo corn',
    tokens: [
      ['Lowercase', 'oreo'],
      ['Lowercase', 'corn'],
    ],
  },
  {
    source: LEXER,
    input: 'if, and, or but',
    tokens: [
      ['Lowercase', 'if'],
      ['Punct', ','],
      ['OpAnd', 'and'],
      ['Punct', ','],
      ['OpOr', 'or'],
      ['Lowercase', 'but'],
    ],
  },
  {
    source: LEXER,
    input: 'true and not false',
    tokens: [
      ['Boolean', 'true'],
      ['OpAnd', 'and'],
      ['OpNot', 'not'],
      ['Boolean', 'false'],
    ],
  },
  { source: LEXER, input: '|', error: true },
  {
    source: LEXER,
    input: 'set(attributes["bytes"], 0x0102030405060708)',
    tokens: [
      ['Lowercase', 'set'],
      ['LParen', '('],
      ['Lowercase', 'attributes'],
      ['Punct', '['],
      ['String', '"bytes"'],
      ['Punct', ']'],
      ['Punct', ','],
      ['Bytes', '0x0102030405060708'],
      ['RParen', ')'],
    ],
  },
  {
    source: LEXER,
    input: 'a("\\\\", "b")',
    tokens: [
      ['Lowercase', 'a'],
      ['LParen', '('],
      ['String', '"\\\\"'],
      ['Punct', ','],
      ['String', '"b"'],
      ['RParen', ')'],
    ],
  },
  { source: LEXER, input: '"\\"', error: true },
  {
    source: LEXER,
    input: 'aBCd_123E_4',
    tokens: [
      ['Lowercase', 'a'],
      ['Uppercase', 'BC'],
      ['Lowercase', 'd_123'],
      ['Uppercase', 'E_4'],
    ],
  },
  {
    source: LEXER,
    input: '+-*/',
    tokens: [
      ['OpAddSub', '+'],
      ['OpAddSub', '-'],
      ['OpMultDiv', '*'],
      ['OpMultDiv', '/'],
    ],
  },
  {
    source: LEXER,
    input: '1000 - 600',
    tokens: [
      ['Int', '1000'],
      ['OpAddSub', '-'],
      ['Int', '600'],
    ],
  },
  {
    source: LEXER,
    input: '1.1 * 2.9',
    tokens: [
      ['Float', '1.1'],
      ['OpMultDiv', '*'],
      ['Float', '2.9'],
    ],
  },
  {
    source: LEXER,
    input: '{"foo":"bar"}',
    tokens: [
      ['LBrace', '{'],
      ['String', '"foo"'],
      ['Colon', ':'],
      ['String', '"bar"'],
      ['RBrace', '}'],
    ],
  },
];

const PARSER = 'pkg/ottl/parser_test.go (Test_parseStatement)';
const CONVERTER_NAME = 'converter names must start with an uppercase letter';
const EDITOR_INDEX = 'only paths and converters may be indexed';
const statementRows: { source: string; statement: string; error?: true | string }[] = [
  { source: PARSER, statement: 'set(', error: true },
  { source: PARSER, statement: 'set("foo)', error: true },
  { source: PARSER, statement: 'set(name.)', error: true },
  { source: PARSER, statement: '("foo")', error: true },
  { source: PARSER, statement: 'set("foo") where name =||= "fido"', error: true },
  { source: PARSER, statement: 'set(span_id, SpanIDWrapper{not a hex string})', error: true },
  { source: PARSER, statement: 'set(span_id, SpanIDWrapper{01})', error: true },
  {
    source: PARSER,
    statement: 'set(trace_id, TraceIDWrapper{0102030405060708090a0b0c0d0e0f})',
    error: true,
  },
  { source: PARSER, statement: 'set("foo") where name = "fido"', error: true },
  { source: PARSER, statement: 'set("foo") where name or "fido"', error: true },
  { source: PARSER, statement: 'set("foo") where name and "fido"', error: true },
  { source: PARSER, statement: 'set("foo") where name and', error: true },
  { source: PARSER, statement: 'set("foo") where name or', error: true },
  { source: PARSER, statement: 'set("foo") where (', error: true },
  { source: PARSER, statement: 'set("foo") where )', error: true },
  { source: PARSER, statement: 'set("foo") where (name == "fido"))', error: true },
  { source: PARSER, statement: 'set("foo") where ((name == "fido")', error: true },
  { source: PARSER, statement: 'Set()', error: true },
  { source: PARSER, statement: 'set(int())', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set(1 + int())', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set(int() + 1)', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set(1 * int())', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set(1 * 1 + (2 * int()))', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set() where int() == 1', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set() where 1 == int()', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set() where true and 1 == int() ', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set() where false or 1 == int() ', error: CONVERTER_NAME },
  { source: PARSER, statement: 'set(foo.attributes["bar"].cat)["key"]', error: EDITOR_INDEX },
  { source: PARSER, statement: 'set(foo.attributes["bar"].cat, "dog")' },
  {
    source: PARSER,
    statement: 'set(set = foo.attributes["animal"], val = "dog") where animal == "cat"',
  },
  {
    source: PARSER,
    statement: 'test() where service == "pinger" or foo.attributes["endpoint"] == "/x/alive"',
  },
  {
    source: PARSER,
    statement:
      'test() where service == "pinger" or foo.attributes["verb"] == "GET" and foo.attributes["endpoint"] == "/x/alive"',
  },
  { source: PARSER, statement: 'test() where animal > "cat"' },
  { source: PARSER, statement: 'test() where animal >= "cat"' },
  { source: PARSER, statement: 'test() where animal <= "cat"' },
  { source: PARSER, statement: 'test() where animal < "cat"' },
  { source: PARSER, statement: 'test() where animal =< "dog"', error: true },
  { source: PARSER, statement: 'test() where animal => "dog"', error: true },
  { source: PARSER, statement: 'test() where animal <> "dog"', error: true },
  { source: PARSER, statement: 'test() where animal = "dog"', error: true },
  { source: PARSER, statement: 'test() where animal', error: true },
  { source: PARSER, statement: 'test() where animal ==', error: true },
  { source: PARSER, statement: 'test() where ==', error: true },
  { source: PARSER, statement: 'test() where == animal', error: true },
  { source: PARSER, statement: 'test() where attributes["path"] == "/healthcheck"' },
  { source: PARSER, statement: 'test() where one() == 1', error: true },
  { source: PARSER, statement: 'test(fail())', error: CONVERTER_NAME },
  { source: PARSER, statement: 'Test()', error: true },
  { source: PARSER, statement: 'set() where test(foo)["key"] == "bar"', error: CONVERTER_NAME },
];

const CONDITIONS = 'pkg/ottl/parser_test.go (Test_parseCondition)';
const conditionRows: { source: string; condition: string; error?: true | string }[] = [
  { source: CONDITIONS, condition: 'name =||= "fido"', error: true },
  { source: CONDITIONS, condition: 'name = "fido"', error: true },
  { source: CONDITIONS, condition: 'name or "fido"', error: true },
  { source: CONDITIONS, condition: '(', error: true },
  { source: CONDITIONS, condition: ')', error: true },
  { source: CONDITIONS, condition: '(name == "fido"))', error: true },
  { source: CONDITIONS, condition: '((name == "fido")', error: true },
  { source: CONDITIONS, condition: 'set()', error: true },
  { source: CONDITIONS, condition: 'Int() == 1' },
  { source: CONDITIONS, condition: '1 == Int()' },
  { source: CONDITIONS, condition: 'true and 1 == Int() ' },
  { source: CONDITIONS, condition: 'false or 1 == Int() ' },
  { source: CONDITIONS, condition: 'animal > "cat"' },
  { source: CONDITIONS, condition: 'animal', error: true },
  { source: CONDITIONS, condition: '== animal', error: true },
  { source: CONDITIONS, condition: 'attributes["path"] == "/healthcheck"' },
  { source: CONDITIONS, condition: 'One() == 1' },
  { source: CONDITIONS, condition: 'test(fail())', error: true },
  { source: CONDITIONS, condition: 'Test()' },
  { source: CONDITIONS, condition: '"test" == Foo', error: true },
  { source: CONDITIONS, condition: 'test(animal) == "dog"', error: CONVERTER_NAME },
  { source: CONDITIONS, condition: 'test(animal)["kind"] == "birds"', error: CONVERTER_NAME },
];

describe('transform grammar: the lexer', () => {
  for (const row of lexerRows) {
    it(`${row.input} (${row.source})`, () => {
      if (row.error) {
        assert.throws(() => tokenize(row.input));
        return;
      }
      assert.deepEqual(
        tokenize(row.input).map((t) => [t.kind, t.text]),
        row.tokens,
      );
    });
  }
});

describe('transform grammar: statements', () => {
  for (const row of statementRows) {
    it(`${row.statement} (${row.source})`, () => {
      if (row.error === undefined) {
        parseStatement(row.statement);
        return;
      }
      assert.throws(
        () => parseStatement(row.statement),
        (error: Error) => row.error === true || error.message.includes(row.error as string),
      );
    });
  }
});

describe('transform grammar: conditions', () => {
  for (const row of conditionRows) {
    it(`${row.condition} (${row.source})`, () => {
      if (row.error === undefined) {
        parseCondition(row.condition);
        return;
      }
      assert.throws(
        () => parseCondition(row.condition),
        (error: Error) => row.error === true || error.message.includes(row.error as string),
      );
    });
  }
});

describe('transform grammar: precedence', () => {
  it('and binds tighter than or, as in the grammar (term = boolValue and boolValue)', () => {
    const parsed = parseCondition('a == 1 or b == 2 and c == 3');
    assert.equal(parsed.kind, 'or');
    assert.equal((parsed as { items: { kind: string }[] }).items[1].kind, 'and');
  });
  it('* and / before + and -, left to right', () => {
    const parsed = parseStatement('set(x, 1 + 2 * 3 - 4)');
    const value = parsed.editor.args[1].value as { kind: string; op: string; left: { op: string } };
    assert.equal(value.op, '-');
    assert.equal(value.left.op, '+');
  });
});

/*
 * Construction errors: each names the option and statement, the statement's text, the column,
 * and what is wrong. Columns are 1-based.
 */
const constructionRows: { statement: string; context?: string; message: string }[] = [
  {
    statement: 'set(attributes["a"], 1',
    message: `expected ')' or ',' but the statement ended at column 23`,
  },
  {
    statement: 'set(name, "x") where name = "y"',
    message: `expected a comparison operator but found '=' at column 27`,
  },
  {
    statement: 'Set(name, "x")',
    message: `editor names must start with a lowercase letter but got 'Set' at column 1`,
  },
  { statement: 'set(name, "x)', message: 'unterminated string at column 11' },
  { statement: 'set(name, x | y)', message: `unexpected character '|' at column 13` },
  { statement: 'frobnicate(name)', message: `unknown editor 'frobnicate'` },
  { statement: 'set(name, Frobnicate(name))', message: `unknown converter 'Frobnicate'` },
  { statement: 'set(name, Int())', message: `Int needs its 'target' argument` },
  { statement: 'set(nme, "x")', message: `span has no path 'nme'` },
  { statement: 'set(body, "x")', message: `span has no path 'body' (paths: attributes, name` },
  { statement: 'set(body, "x")', context: 'log', message: 'NO ERROR' },
  { statement: 'set(span.name, "x")', context: 'spanevent', message: 'NO ERROR' },
  { statement: 'set(span.name, "x")', context: 'log', message: `log has no path 'span.name'` },
  { statement: 'set(trace_id.string, "x")', message: 'trace_id.string is read-only at column 5' },
  {
    statement: 'truncate_all(attributes, "10")',
    message: `wrong argument type for 'limit' of truncate_all: expected an integer, got a string at column 26`,
  },
  {
    statement: 'delete_key("attributes", "k")',
    message: `wrong argument type for 'target' of delete_key: expected a map path such as attributes, got a string at column 12`,
  },
  {
    statement: 'keep_keys(attributes, "a")',
    message: `wrong argument type for 'keys' of keep_keys: expected a list of strings, got a string`,
  },
  {
    statement: 'set(name, "a", "b")',
    message: 'set takes at most 2 arguments, got 3 at column 16',
  },
  { statement: 'set(target = name, valu = "x")', message: `set has no parameter 'valu'` },
  { statement: 'replace_pattern(name, "(", "x")', message: 'error parsing regexp' },
  {
    statement: 'replace_pattern(name, "a", "x", Frob)',
    message: 'Frob is not a converter of one argument',
  },
  {
    statement: 'set(attributes["k"], STATUS_CODE_EROR)',
    message: `unknown enum symbol 'STATUS_CODE_EROR'`,
  },
  {
    statement: 'limit(attributes, 1, ["a", "b"])',
    message:
      'invalid limit for limit function, 1 cannot be less than the number of priority keys (2)',
  },
  {
    statement: 'truncate_all(attributes, -1)',
    message: 'invalid limit for truncate_all function, -1 cannot be negative',
  },
];

describe('transform: construction errors name the statement, its column and the fault', () => {
  for (const row of constructionRows) {
    it(`${row.context ?? 'span'}: ${row.statement}`, () => {
      const build = () =>
        createTransformStage(
          { [row.context ?? 'span']: ['set(attributes["x"], "y")', row.statement] },
          'test',
        );
      if (row.message === 'NO ERROR') {
        build();
        return;
      }
      assert.throws(build, (error: Error) => {
        assert.match(error.message, new RegExp(`^transform\\.${row.context ?? 'span'}\\[1\\]: `));
        assert.ok(error.message.includes(row.message), error.message);
        assert.ok(error.message.includes(JSON.stringify(row.statement)), error.message);
        return true;
      });
    });
  }

  it('refuses what is not statements or a function, and unknown keys', () => {
    assert.throws(
      () => createTransformStage('set(name, "x")', 'test'),
      /transform: expected OTTL statements/,
    );
    assert.throws(
      () => createTransformStage({ spans: [] }, 'test'),
      /transform\.spans: unknown key/,
    );
    assert.throws(
      () => createTransformStage({ span: 'set(name, "x")' }, 'test'),
      /transform\.span: expected a list/,
    );
    assert.throws(
      () => createTransformStage({ span: [1] }, 'test'),
      /transform\.span\[0\]: expected an OTTL statement/,
    );
    assert.throws(
      () => createTransformStage({ errorMode: 'loud' }, 'test'),
      /transform\.errorMode/,
    );
  });
});
