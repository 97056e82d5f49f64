// The checks the CommonJS app (check-cjs.cjs) and the ES module app (check-esm.mjs) share. They
// run inside the temporary app, on the SDK major's Node, with only the app's node_modules: the
// packages exactly as npm installed them from the tarballs.
//
// The manifest (written by compat/packed/runtime-apps.ts) lists, for every package, each entry
// point with the value names its declarations export, and whether it is an exporter package.
'use strict';

const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Loads every entry point with `load` (require or import), checks that each declared value is
 * there, and constructs the exporter classes of exporter packages. Returns the problems and, per
 * exporter package, what the runner needs to know to run its README snippets.
 */
async function checkPackages(manifest, load, flavour) {
  const problems = [];
  const exporters = [];
  for (const pkg of manifest.packages) {
    const modules = new Map();
    for (const entry of pkg.entries) {
      let loaded;
      try {
        loaded = await load(entry.specifier);
      } catch (error) {
        problems.push(`${flavour}: ${entry.specifier} does not load: ${firstLine(error)}`);
        continue;
      }
      problems.push(...loaded.problems.map((problem) => `${flavour}: ${problem}`));
      // undefined counts as missing: CommonJS output declares every export `= void 0` first.
      const missing = entry.values.filter((name) => loaded.module[name] === undefined);
      if (missing.length > 0) {
        problems.push(
          `${flavour}: ${entry.specifier} has no ${missing.join(', ')}, which its declarations export`,
        );
      }
      modules.set(entry.specifier, loaded.module);
    }
    if (pkg.exporter) {
      const checked = await checkExporterPackage(pkg, modules);
      problems.push(...checked.problems.map((problem) => `${flavour}: ${problem}`));
      exporters.push(checked.exporter);
    }
  }
  return { problems, exporters };
}

/**
 * An exporter package must export at least one exporter class (a class named `…Exporter`), each
 * constructible with no argument (its options then come from the environment and the defaults)
 * into an object with export() and shutdown(), and one options definition that names its
 * backend and the environment variable of its URL.
 */
async function checkExporterPackage(pkg, modules) {
  const problems = [];
  const constructed = [];
  for (const entry of pkg.entries) {
    const module = modules.get(entry.specifier);
    if (!module) continue;
    for (const name of entry.classes.filter((c) => c.endsWith('Exporter'))) {
      try {
        const exporter = new module[name]();
        if (typeof exporter.export !== 'function' || typeof exporter.shutdown !== 'function') {
          problems.push(`${entry.specifier}: new ${name}() has no export() or no shutdown()`);
          continue;
        }
        await withTimeout(exporter.shutdown(), SHUTDOWN_TIMEOUT_MS, `${name}.shutdown()`);
        constructed.push(name);
      } catch (error) {
        problems.push(`${entry.specifier}: new ${name}() and shutdown() fail: ${firstLine(error)}`);
      }
    }
  }
  if (pkg.entries.every((e) => !e.classes.some((c) => c.endsWith('Exporter')))) {
    problems.push(`${pkg.name} exports no exporter class (a class named …Exporter)`);
  }
  const definitions = [...modules.values()].flatMap((module) =>
    Object.values(module).filter(
      (value) =>
        value !== null &&
        typeof value === 'object' &&
        typeof value.backend === 'string' &&
        Array.isArray(value.environment),
    ),
  );
  const backends = [...new Set(definitions.map((d) => d.backend))];
  if (backends.length !== 1) {
    problems.push(
      `${pkg.name}: expected one exporter options definition (defineExporterOptions) naming its backend, found ${backends.length === 0 ? 'none' : backends.join(', ')}`,
    );
  }
  // The URL variable every signal's exporter reads: an exporter may declare them per signal
  // (OTLP's OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, …) beside a common one (OTEL_EXPORTER_OTLP_ENDPOINT).
  const urlEntries = (definitions[0]?.environment ?? []).filter((e) => e.option === 'url');
  const urlVariable = urlEntries[0]?.variables?.find((variable) =>
    urlEntries.every((e) => e.variables.includes(variable)),
  );
  return {
    problems,
    exporter: {
      name: pkg.name,
      constructed,
      backend: backends.length === 1 ? backends[0] : undefined,
      urlVariable,
    },
  };
}

function withTimeout(promise, timeoutMs, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

module.exports = { checkPackages };
