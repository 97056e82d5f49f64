/*
 * The BUILT package as a user gets it: dist/ loaded by plain Node (no tsx) through the package's
 * `exports` map, from a child process whose cwd is the package folder, so that the bare name
 * resolves via the workspace link in the root node_modules like an installed dependency would.
 * Root `npm test` builds first; run `npm run build` at the root before running this file alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const PACKAGE_DIR = resolve(__dirname, '..');
const DIST = join(PACKAGE_DIR, 'dist');
const NAME = '@otelpack/batching-core';

const BUILT_FILES = [
  'index.js',
  'index.mjs',
  'index.d.ts',
  'index.d.mts',
  'testing/index.js',
  'testing/index.mjs',
  'testing/index.d.ts',
  'testing/index.d.mts',
];

// Names a consumer (and every exporter package) relies on; an export going missing from one
// module system but not the other is exactly the breakage this file exists to catch.
const CORE_NAMES = [
  'Pipeline',
  'HttpTransport',
  'PipelineSpanExporter',
  'PipelineLogRecordExporter',
  'PipelineMetricExporter',
  'AggregationTemporality',
  'InvalidConfigError',
  'OtelpackError',
];
const TESTING_NAMES = ['FaultSink', 'assertLedgerBalances', 'ledgerImbalance'];

function assertBuilt(): void {
  const missing = BUILT_FILES.filter((file) => !existsSync(join(DIST, file)));
  assert.deepEqual(
    missing,
    [],
    `packages/batching-core/dist is not built (missing ${missing.join(', ')}): ` +
      'run `npm run build` at the repository root first (root `npm test` does it for you)',
  );
}

/** Runs a script under plain Node in the package folder and returns what it printed as JSON. */
function runNode<T>(args: string[], script: string): T {
  const env = { ...process.env };
  // The test runner's own settings (e.g. --import tsx, the test context) must not leak into
  // the child: it has to load the package the way an application would.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawnSync(process.execPath, [...args, '-e', script], {
    cwd: PACKAGE_DIR,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(
    child.status,
    0,
    `node ${args.join(' ')} -e <script> failed (status ${child.status}, signal ${child.signal}):\n` +
      `${child.stderr}\n${child.stdout}`,
  );
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as T;
}

interface Loaded {
  main: string;
  testing: string;
  mainKeys: string[];
  testingKeys: string[];
  kinds: Record<string, string>;
}

const describeLoaded = `
  const kinds = {};
  for (const name of ${JSON.stringify(CORE_NAMES)}) kinds[name] = typeof core[name];
  for (const name of ${JSON.stringify(TESTING_NAMES)}) kinds['testing.' + name] = typeof testing[name];
`;

test('dist/ is built (otherwise: run `npm run build` at the root)', () => {
  assertBuilt();
});

test('require() loads the CommonJS build through the exports map', () => {
  assertBuilt();
  const loaded = runNode<Loaded & { packageName: string; deepImport: string }>(
    [],
    `
    const core = require(${JSON.stringify(NAME)});
    const testing = require(${JSON.stringify(`${NAME}/testing`)});
    ${describeLoaded}
    let deepImport = 'loaded';
    try { require(${JSON.stringify(`${NAME}/dist/pipeline.js`)}); } catch (error) { deepImport = error.code; }
    console.log(JSON.stringify({
      main: require.resolve(${JSON.stringify(NAME)}),
      testing: require.resolve(${JSON.stringify(`${NAME}/testing`)}),
      mainKeys: Object.keys(core),
      testingKeys: Object.keys(testing),
      kinds,
      packageName: require(${JSON.stringify(`${NAME}/package.json`)}).name,
      deepImport,
    }));
    `,
  );
  assert.equal(loaded.main, realpathSync(join(DIST, 'index.js')));
  assert.equal(loaded.testing, realpathSync(join(DIST, 'testing/index.js')));
  for (const [name, kind] of Object.entries(loaded.kinds)) {
    assert.equal(kind, name === 'AggregationTemporality' ? 'object' : 'function', name);
  }
  assert.equal(loaded.packageName, NAME);
  // Only the exports map's entries are public: a deep path must be refused, not served by `main`.
  assert.equal(loaded.deepImport, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test('import() loads the ES module build with every CommonJS export as a named export', () => {
  assertBuilt();
  const loaded = runNode<Loaded & { cjsMainKeys: string[]; cjsTestingKeys: string[] }>(
    ['--input-type=module'],
    `
    import { createRequire } from 'node:module';
    const require = createRequire(process.cwd() + '/');
    const core = await import(${JSON.stringify(NAME)});
    const testing = await import(${JSON.stringify(`${NAME}/testing`)});
    ${describeLoaded}
    console.log(JSON.stringify({
      main: import.meta.resolve(${JSON.stringify(NAME)}),
      testing: import.meta.resolve(${JSON.stringify(`${NAME}/testing`)}),
      mainKeys: Object.keys(core),
      testingKeys: Object.keys(testing),
      kinds,
      cjsMainKeys: Object.keys(require(${JSON.stringify(NAME)})),
      cjsTestingKeys: Object.keys(require(${JSON.stringify(`${NAME}/testing`)})),
    }));
    `,
  );
  assert.equal(loaded.main, pathToFileURL(realpathSync(join(DIST, 'index.mjs'))).href);
  assert.equal(loaded.testing, pathToFileURL(realpathSync(join(DIST, 'testing/index.mjs'))).href);
  for (const [name, kind] of Object.entries(loaded.kinds)) {
    assert.equal(kind, name === 'AggregationTemporality' ? 'object' : 'function', name);
  }
  // The ES wrappers are generated from the CommonJS build; stale or partial wrappers show here.
  const named = (keys: string[]): string[] =>
    keys.filter((key) => key !== 'default' && key !== '__esModule').sort();
  assert.deepEqual(named(loaded.mainKeys), named(loaded.cjsMainKeys), 'main entry named exports');
  assert.deepEqual(
    named(loaded.testingKeys),
    named(loaded.cjsTestingKeys),
    '/testing named exports',
  );
  assert.ok(loaded.mainKeys.includes('default'), 'the ES build has a default export');
});

test('import and require share one instance of every class (no dual-package hazard)', () => {
  assertBuilt();
  const result = runNode<{
    identical: Record<string, boolean>;
    defaultIsCjs: boolean;
    crossInstanceof: boolean;
    crossErrorInstanceof: boolean;
    delivered: number;
  }>(
    ['--input-type=module'],
    `
    import { createRequire } from 'node:module';
    import * as esm from ${JSON.stringify(NAME)};
    import * as esmTesting from ${JSON.stringify(`${NAME}/testing`)};
    const require = createRequire(process.cwd() + '/');
    const cjs = require(${JSON.stringify(NAME)});
    const cjsTesting = require(${JSON.stringify(`${NAME}/testing`)});
    const identical = {};
    for (const name of ${JSON.stringify(CORE_NAMES)}) identical[name] = esm[name] === cjs[name];
    for (const name of ${JSON.stringify(TESTING_NAMES)}) identical['testing.' + name] = esmTesting[name] === cjsTesting[name];
    const pipeline = new esm.Pipeline({
      name: 'module-loading',
      signal: 'logs',
      sender: { sizeOf: () => 1, send: async () => ({ kind: 'delivered' }) },
    });
    await pipeline.submit(['a', 'b']);
    await pipeline.forceFlush(5000);
    await pipeline.shutdown();
    let crossErrorInstanceof = false;
    try { new esm.Pipeline({}); } catch (error) { crossErrorInstanceof = error instanceof cjs.InvalidConfigError; }
    console.log(JSON.stringify({
      identical,
      defaultIsCjs: esm.default === cjs,
      crossInstanceof: pipeline instanceof cjs.Pipeline,
      crossErrorInstanceof,
      delivered: pipeline.stats().delivered,
    }));
    `,
  );
  for (const [name, same] of Object.entries(result.identical)) {
    assert.equal(same, true, `${name} from import() is not the one from require()`);
  }
  assert.equal(result.defaultIsCjs, true, 'default export is the CommonJS module object');
  assert.equal(result.crossInstanceof, true, 'an ESM-made Pipeline is instanceof the CJS class');
  assert.equal(
    result.crossErrorInstanceof,
    true,
    'an ESM-thrown error is instanceof the CJS class',
  );
  assert.equal(result.delivered, 2, 'a pipeline built through import() delivers');
});

test('type declarations resolve from dist/ for both ESM and CommonJS consumers', (t) => {
  assertBuilt();
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    types: string;
    exports: Record<string, Record<'import' | 'require', { types?: string }> | string>;
  };
  assert.ok(existsSync(join(PACKAGE_DIR, manifest.types)), `"types": ${manifest.types} exists`);
  // Each condition has its own declarations: ESM ones (.d.mts) for import, CommonJS ones for
  // require. One `types` for both would make TypeScript see CommonJS where Node loads ESM.
  for (const entry of ['.', './testing']) {
    const conditions = manifest.exports[entry];
    assert.ok(typeof conditions === 'object', `exports["${entry}"] has conditions`);
    for (const condition of ['import', 'require'] as const) {
      const types = conditions[condition]?.types;
      assert.ok(types, `exports["${entry}"].${condition}.types`);
      assert.ok(existsSync(join(PACKAGE_DIR, types)), `${types} exists`);
    }
  }

  // Consumers outside src/ in a throwaway folder: tsc must find the declarations through the
  // exports map, and they must be real types (the @ts-expect-error lines fail against `any`).
  const tmpRoot = join(PACKAGE_DIR, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, 'module-loading-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const consumer = `
    import { HttpTransport, Pipeline, PipelineSpanExporter } from '${NAME}';
    import type { PipelineStats, SendResult } from '${NAME}';
    import { FaultSink, assertLedgerBalances } from '${NAME}/testing';

    const delivered: SendResult = { kind: 'delivered' };
    const pipeline = new Pipeline<string>({
      name: 'consumer',
      signal: 'logs',
      sender: { sizeOf: (record) => record.length, send: async () => delivered },
    });
    const stats: PipelineStats = pipeline.stats();
    assertLedgerBalances(stats);
    export const exporter = new PipelineSpanExporter({ pipeline, map: (span) => span.name });
    export const transport: typeof HttpTransport = HttpTransport;
    export const sink: typeof FaultSink = FaultSink;
    // @ts-expect-error 'metrix' is not a Signal
    export const wrongSignal = new Pipeline<string>({ name: 'x', signal: 'metrix', sender: pipeline });
    // @ts-expect-error a record of the pipeline is a string
    export const wrongRecord = pipeline.submit([42]);
  `;
  // The ES module's default export is the CommonJS module object, at runtime and in its types.
  const esmOnly = `
    import core from '${NAME}';
    export const samePipeline: typeof Pipeline = core.Pipeline;
    // @ts-expect-error the default export has no member the package does not export
    export const unknownMember = core.NoSuchExport;
  `;
  writeFileSync(join(dir, 'consumer.mts'), consumer + esmOnly);
  writeFileSync(join(dir, 'consumer.cts'), consumer);
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'node16',
      '--moduleResolution',
      'node16',
      '--target',
      'es2022',
      '--types',
      'node',
      '--skipLibCheck',
      '--listFiles',
      join(dir, 'consumer.mts'),
      join(dir, 'consumer.cts'),
    ],
    { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(tsc.status, 0, `tsc rejected the consumers:\n${tsc.stdout}${tsc.stderr}`);
  const files = tsc.stdout.split('\n').map((line) => line.trim());
  for (const declaration of [
    'index.d.ts',
    'index.d.mts',
    'testing/index.d.ts',
    'testing/index.d.mts',
  ]) {
    const expected = realpathSync(join(DIST, declaration));
    assert.ok(files.includes(expected), `tsc did not load ${expected}`);
  }
  assert.ok(
    !files.some((file) => file.startsWith(join(PACKAGE_DIR, 'src'))),
    'consumers must get dist/ declarations, never src/',
  );
});
