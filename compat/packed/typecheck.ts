import { dirname, join, sep } from 'node:path';
import ts from 'typescript';

/*
 * `node --import tsx compat/packed/typecheck.ts APP_DIR`: type-checks one TypeScript app of the
 * smoke test as `tsc -p APP_DIR` would with its tsconfig (strict, skipLibCheck off), but reports
 * only what is ours: the app's own files and the declarations of the @otelpack packages. Errors
 * inside third-party declarations (@types/node, the Elasticsearch client, …) are theirs, and
 * checking every one of them costs some 10 s a run. Exits 1 with the diagnostics when any.
 */

const OURS = `${sep}node_modules${sep}@otelpack${sep}`;

export function typeCheck(appDir: string): readonly ts.Diagnostic[] {
  const configPath = join(appDir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${configPath} could not be read`);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const ownFile = (file: ts.SourceFile) =>
    file.fileName.includes(OURS.split(sep).join('/')) ||
    dirname(file.fileName) === appDir.split(sep).join('/');
  return [
    ...parsed.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program
      .getSourceFiles()
      .filter(ownFile)
      .flatMap((file) => [
        ...program.getSyntacticDiagnostics(file),
        ...program.getSemanticDiagnostics(file),
      ]),
  ];
}

if (require.main === module) {
  const appDir = process.argv[2];
  const diagnostics = typeCheck(appDir);
  if (diagnostics.length > 0) {
    process.stdout.write(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => appDir,
        getNewLine: () => '\n',
      }),
    );
    process.exit(1);
  }
}
