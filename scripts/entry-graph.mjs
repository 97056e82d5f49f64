// The files and packages that loading a built entry point pulls in at load time: it follows the
// `require("…")` calls and static imports of the compiled JavaScript. A `require("x")` written
// inside a function counts as loaded too (the walk errs towards reporting too much); a package
// loaded through a function made by createRequire is not seen, which is how a module keeps an
// optional package from loading before it is asked for.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

const BUILTINS = new Set(builtinModules);

export function isBuiltin(specifier) {
  return specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]);
}

/** `@scope/name/sub/path` → `@scope/name`, `name/sub` → `name`. */
export function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function importedSpecifiers(source) {
  // TypeScript's own scanner: it skips comments and strings, and knows require() in JavaScript.
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The packed file a relative specifier names, with CommonJS's extension and index lookup. */
function resolveRelative(fromFile, specifier, packedFiles) {
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  const candidates = [base, `${base}.js`, `${base}.json`, `${base}/index.js`];
  return candidates.find((candidate) => packedFiles.has(candidate));
}

/**
 * Walks from `entryFiles` (paths inside the package, as the pack lists them: an entry's ESM
 * wrapper and its CommonJS build) through the packed files. Returns `{ files, modules, unresolved }`: the package's own files it loads, the bare
 * specifiers it loads (builtins and other packages, each with the file that loads it first), and
 * the relative specifiers that name no packed file.
 */
export function entryGraph(packageDir, entryFiles, packedFiles) {
  const files = new Set();
  const modules = new Map();
  const unresolved = [];
  const pending = [...entryFiles];
  while (pending.length > 0) {
    const file = pending.pop();
    if (files.has(file)) continue;
    files.add(file);
    if (!/\.[cm]?js$/.test(file)) continue;
    const source = readFileSync(join(packageDir, file), 'utf8');
    for (const specifier of importedSpecifiers(source)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier, packedFiles);
        if (target) pending.push(target);
        else unresolved.push({ from: file, specifier });
      } else if (!modules.has(specifier)) {
        modules.set(specifier, file);
      }
    }
  }
  return { files, modules, unresolved };
}
