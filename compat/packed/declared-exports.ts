import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/*
 * What each installed package promises: its entry points (every `exports` subpath) and, read from
 * the declarations npm installed, the names each one exports, values apart from types. The
 * runtime apps check that every declared value is there under require() and import, and the
 * TypeScript apps import every name, so the promise is checked against what ships.
 */

export interface EntryPoint {
  /** What a user writes: `@otelpack/batching-core`, `@otelpack/batching-core/testing`. */
  specifier: string;
  /** Names exported as values (classes, functions, constants), `default` left out. */
  values: string[];
  /** Names exported only as types (interfaces, type aliases, `export type`). */
  types: string[];
  /** The values that are classes. */
  classes: string[];
}

export interface PackageEntryPoints {
  name: string;
  entries: EntryPoint[];
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  types: ['node'],
};

/** Every code subpath of the installed package's `exports` (not `./package.json`). */
export function subpathSpecifiers(appRoot: string, name: string): string[] {
  const manifest = JSON.parse(
    readFileSync(join(appRoot, 'node_modules', name, 'package.json'), 'utf8'),
  ) as { exports?: unknown };
  if (manifest.exports === undefined) return [name];
  if (typeof manifest.exports === 'string' || Array.isArray(manifest.exports)) return [name];
  const keys = Object.keys(manifest.exports as object);
  // An exports map is either subpaths (`.`, `./x`) or conditions for `.` alone.
  if (!keys.some((key) => key.startsWith('.'))) return [name];
  return keys
    .filter((key) => !key.endsWith('.json'))
    .map((key) => {
      if (key.includes('*')) {
        throw new Error(`${name}: the subpath pattern ${key} is not supported by this check`);
      }
      return key === '.' ? name : `${name}/${key.slice(2)}`;
    });
}

/**
 * The entry points of each package, with the names their declarations export. An entry point
 * TypeScript finds no declarations for is a problem, and stays in the list with no names: the
 * apps still load it, and the TypeScript apps then fail on it too.
 */
export function declaredEntryPoints(
  appRoot: string,
  names: string[],
): { packages: PackageEntryPoints[]; problems: string[] } {
  // Resolved as an ES module import from the app would (the `types` condition beside `import`).
  const importer = join(appRoot, 'index.mts');
  const problems: string[] = [];
  const resolved = names.map((name) => ({
    name,
    entries: subpathSpecifiers(appRoot, name).map((specifier) => {
      const found = ts.resolveModuleName(
        specifier,
        importer,
        COMPILER_OPTIONS,
        ts.sys,
        undefined,
        undefined,
        ts.ModuleKind.ESNext,
      ).resolvedModule;
      if (found && /\.d\.[cm]?ts$/.test(found.resolvedFileName)) {
        return { specifier, declarationFile: found.resolvedFileName };
      }
      problems.push(
        `${specifier}: TypeScript finds no declarations for it` +
          (found ? ` (it resolves to ${found.resolvedFileName})` : ''),
      );
      return { specifier, declarationFile: undefined };
    }),
  }));
  const program = ts.createProgram(
    resolved.flatMap((p) => p.entries.flatMap((e) => e.declarationFile ?? [])),
    COMPILER_OPTIONS,
  );
  const checker = program.getTypeChecker();
  const packages = resolved.map((p) => ({
    name: p.name,
    entries: p.entries.map(({ specifier, declarationFile }) => ({
      specifier,
      ...(declarationFile
        ? exportedNames(program, checker, declarationFile)
        : { values: [], types: [], classes: [] }),
    })),
  }));
  return { packages, problems };
}

function exportedNames(
  program: ts.Program,
  checker: ts.TypeChecker,
  file: string,
): Pick<EntryPoint, 'values' | 'types' | 'classes'> {
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} is not a module`);
  const values: string[] = [];
  const types: string[] = [];
  const classes: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const name = symbol.getName();
    if (name === 'default') continue;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (target.flags & ts.SymbolFlags.Value && !exportedAsTypeOnly(checker, symbol)) {
      values.push(name);
      if (target.flags & ts.SymbolFlags.Class) classes.push(name);
    } else {
      types.push(name);
    }
  }
  return { values: values.sort(), types: types.sort(), classes: classes.sort() };
}

/** True when some link of a re-export chain is `export type` / `import type` (no runtime value). */
function exportedAsTypeOnly(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  const seen = new Set<ts.Symbol>();
  let current: ts.Symbol | undefined = symbol;
  while (current && current.flags & ts.SymbolFlags.Alias && !seen.has(current)) {
    seen.add(current);
    if (current.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) return true;
    current = checker.getImmediateAliasedSymbol(current);
  }
  return false;
}
