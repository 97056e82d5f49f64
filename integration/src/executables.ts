import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The first of `names` found as an executable file on PATH, or else in `extraDirs` (Debian puts
 * server binaries in /usr/bin, and a CI shell's PATH is not always a login PATH).
 * Synchronous because BackendDefinition.command() is.
 */
export function findExecutable(
  names: string[],
  extraDirs: string[] = ['/usr/bin', '/usr/local/bin'],
): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}
