// Type-checks every README's TypeScript snippets, each as a program of its own, against the SDK
// its tag names, with packages resolved as a user's program resolves them.
//
//   node scripts/check-readme-snippets.mjs sdk2
//       the snippets tagged sdk2 (the default tag), from the repository root: the root's
//       node_modules (SDK 2.x) and the workspace packages through their package.json `exports`,
//       that is their built dist/ (run `npm run build` first), never their src/.
//   node scripts/check-readme-snippets.mjs sdk3 compat/sdk3
//       the snippets tagged sdk3, from compat/sdk3, where run.sh installs SDK 3.x and the packed
//       packages.
//
// Each snippet is an ES module (`.mts`: top-level await is allowed, as in a user's ESM program)
// in a folder of its own under the folder whose node_modules it resolves from, strict as the
// repository's own code (tsconfig.base.json). A snippet that starts with a comment naming a file,
// `// test/victoriametrics/example.test.ts` alone on the first line, is checked as that file
// instead, relative to its README's folder, so that its relative imports resolve as they would
// there. An error is printed at the README's own line: `packages/x/README.md:42:7: error TS2345`.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, allSnippets } from './readme-snippets.mjs';

const ts = createRequire(join(REPO_ROOT, 'package.json'))('typescript');

const SNIPPET_FILE_LINE = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.(?:ts|mts|cts))\s*$/;

/** Where a snippet is checked: the file its first line names, else a file of its own. */
function snippetPath(snippet, root, modulesDir) {
  const named = SNIPPET_FILE_LINE.exec(snippet.code.split('\n')[0]);
  if (named) return resolve(root, dirname(snippet.file), named[1]);
  const name = `${snippet.file.replace(/[/\\]/g, '__')}-L${snippet.line}.mts`;
  return join(modulesDir, '.readme-snippets', name);
}

function compilerOptions(root) {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  return {
    ...options,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // A snippet without an import is still a module of its own, not a script sharing globals.
    moduleDetection: ts.ModuleDetectionKind.Force,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    inlineSources: false,
    types: ['node'],
  };
}

/** A compiler host that serves the snippets from memory and everything else from the disk. */
function snippetHost(options, files, currentDirectory) {
  const host = ts.createCompilerHost(options, true);
  const fromDisk = {
    fileExists: host.fileExists.bind(host),
    readFile: host.readFile.bind(host),
    getSourceFile: host.getSourceFile.bind(host),
  };
  host.getCurrentDirectory = () => currentDirectory;
  host.fileExists = (path) => files.has(path) || fromDisk.fileExists(path);
  host.readFile = (path) => files.get(path)?.code ?? fromDisk.readFile(path);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) =>
    files.has(path)
      ? ts.createSourceFile(path, files.get(path).code, languageVersion, true)
      : fromDisk.getSourceFile(path, languageVersion, onError, shouldCreate);
  return host;
}

/**
 * Type-checks the snippets tagged `sdk` and returns `{ checked, errors }`, each error a line
 * `README.md:line:column: error TSnnnn: message` (or without a place, for a global error).
 */
export function checkReadmeSnippets({ sdk, root = REPO_ROOT, modulesDir = root }) {
  const snippets = allSnippets(root).filter((snippet) => snippet.tags.includes(sdk));
  const files = new Map();
  for (const snippet of snippets) {
    const path = snippetPath(snippet, root, modulesDir);
    if (files.has(path)) {
      throw new Error(`${snippet.file}:${snippet.line}: a second snippet checked as ${path}`);
    }
    files.set(path, snippet);
  }
  const options = compilerOptions(root);
  const program = ts.createProgram({
    rootNames: [...files.keys()],
    options,
    host: snippetHost(options, files, modulesDir),
  });
  const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const snippet = diagnostic.file && files.get(diagnostic.file.fileName);
    if (!diagnostic.file) return `error TS${diagnostic.code}: ${message}`;
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    if (!snippet) {
      const path = relative(root, diagnostic.file.fileName);
      return `${path}:${at.line + 1}:${at.character + 1}: error TS${diagnostic.code}: ${message}`;
    }
    // The snippet's first line is the one after the fence.
    const line = snippet.line + 1 + at.line;
    return `${snippet.file}:${line}:${at.character + 1}: error TS${diagnostic.code}: ${message}`;
  });
  return { checked: snippets, errors };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [sdk, modulesArg] = process.argv.slice(2);
  if (sdk !== 'sdk2' && sdk !== 'sdk3') {
    process.stderr.write('usage: node scripts/check-readme-snippets.mjs sdk2|sdk3 [modules-dir]\n');
    process.exit(2);
  }
  const modulesDir = resolve(REPO_ROOT, modulesArg ?? '.');
  if (!existsSync(join(modulesDir, 'node_modules'))) {
    process.stderr.write(`readme snippets: no node_modules in ${modulesDir} (install first)\n`);
    process.exit(2);
  }
  const { checked, errors } = checkReadmeSnippets({ sdk, modulesDir });
  for (const error of errors) process.stderr.write(`${error}\n`);
  const readmes = new Set(checked.map((snippet) => snippet.file));
  const summary = `${checked.length} ${sdk} snippets in ${readmes.size} READMEs, from ${relative(REPO_ROOT, modulesDir) || '.'}`;
  if (checked.length === 0) {
    // A check over nothing would pass for ever: no snippet tagged sdk2/sdk3 is itself a failure.
    process.stderr.write(`readme snippets: FAILED: no snippet is tagged ${sdk}\n`);
    process.exit(1);
  }
  if (errors.length > 0) {
    process.stderr.write(`readme snippets: FAILED: ${errors.length} type errors in ${summary}\n`);
    process.exit(1);
  }
  process.stdout.write(`readme snippets: ok: ${summary} type-check\n`);
}
