import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './paths';

/*
 * The README snippets tagged `runnable`, as scripts/readme-snippets.mjs reads them (at run time,
 * so a README edit needs no change here): which to run for an SDK major, which packages must
 * have one, what each imports and which signals it emits.
 */

export type Signal = 'traces' | 'logs' | 'metrics';

export interface Snippet {
  /** The README, relative to the repository root. */
  file: string;
  /** The line of the opening fence. */
  line: number;
  tags: string[];
  code: string;
  /** `exporter-elasticsearch` for packages/exporter-elasticsearch/README.md, else undefined. */
  packageFolder?: string;
}

export interface RunnableSnippet extends Snippet {
  /** A file name for it in the app: `exporter-elasticsearch-line37`. */
  id: string;
  /** The packages it imports (`@opentelemetry/sdk-logs`), Node's builtins left out. */
  imports: string[];
  signals: Signal[];
}

// A snippet emits the signals whose SDK it sets up: the SDK package names are the same in 2.x
// and 3.x but for traces (sdk-trace-base in 2.x, sdk-trace in 3.x, sdk-trace-node in both).
const SIGNAL_SDKS: [Signal, RegExp][] = [
  ['traces', /^@opentelemetry\/sdk-trace(-base|-node)?$/],
  ['logs', /^@opentelemetry\/sdk-logs$/],
  ['metrics', /^@opentelemetry\/sdk-metrics$/],
];

export async function readmeSnippets(): Promise<Snippet[]> {
  const reader = (await import(
    pathToFileURL(join(REPO_ROOT, 'scripts', 'readme-snippets.mjs')).href
  )) as { allSnippets(root?: string): Snippet[] };
  return reader.allSnippets(REPO_ROOT);
}

export function location(snippet: Snippet): string {
  return `${snippet.file}:${snippet.line}`;
}

/** The `runnable` snippets tagged for the SDK major `tag` (`sdk2`, `sdk3`). */
export function runnableSnippets(snippets: Snippet[], tag: string): RunnableSnippet[] {
  return snippets
    .filter((s) => s.tags.includes('runnable') && s.tags.includes(tag))
    .map((s) => ({
      ...s,
      id: `${s.packageFolder ?? 'root'}-line${s.line}`,
      imports: importedPackages(s.code, false),
      signals: SIGNAL_SDKS.filter(([, sdk]) =>
        importedPackages(s.code, true).some((name) => sdk.test(name)),
      ).map(([signal]) => signal),
    }));
}

/**
 * The package names a snippet imports (`@scope/name` or `name`, without subpaths), Node's
 * builtins and relative paths left out. With `valuesOnly`, `import type` lines do not count: a
 * snippet that only names a type of the metrics SDK does not set metrics up.
 */
export function importedPackages(code: string, valuesOnly: boolean): string[] {
  const names = new Set<string>();
  const statements =
    /^\s*(import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const match of code.matchAll(statements)) {
    if (valuesOnly && match[2]) continue;
    const specifier = match[3] ?? match[4];
    if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names].sort();
}

/**
 * What keeps the snippets from covering the packages: an exporter package (`exporters`, by
 * folder, with the variable its URL is read from when known) without a runnable snippet for this
 * SDK major, or a runnable snippet this test cannot run against a backend (outside an exporter
 * package's README, or setting no signal up).
 */
export function coverageProblems(
  snippets: RunnableSnippet[],
  exporters: { folder: string; urlVariable?: string }[],
  tag: string,
): string[] {
  const problems: string[] = [];
  for (const { folder, urlVariable } of exporters) {
    if (!snippets.some((s) => s.packageFolder === folder)) {
      problems.push(
        `packages/${folder}/README.md has no snippet tagged \`runnable\` for ${tag}: every exporter ` +
          `package needs one (\`<!-- snippet: ${tag} runnable -->\` right above a \`\`\`ts block: a ` +
          `complete program that reads the backend's URL from ${urlVariable ?? 'its usual environment variable'}, ` +
          `emits at least one record and shuts down so that it exits 0)`,
      );
    }
  }
  for (const snippet of snippets) {
    if (!exporters.some((e) => e.folder === snippet.packageFolder)) {
      problems.push(
        `${location(snippet)} is tagged runnable, but only an exporter package's README has a ` +
          `backend to run a snippet against`,
      );
    } else if (snippet.signals.length === 0) {
      problems.push(
        `${location(snippet)} is tagged runnable but imports none of ` +
          `${SIGNAL_SDKS.map(([, sdk]) => sdk.source).join(', ')}: which signal does it emit?`,
      );
    }
  }
  return problems;
}

/** The snippet's imports that the app does not install (so it could not run for a user either). */
export function missingImports(snippet: RunnableSnippet, installed: string[]): string[] {
  return snippet.imports.filter((name) => !installed.includes(name));
}
