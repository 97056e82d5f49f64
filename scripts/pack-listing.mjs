// What `npm pack` puts in a package's tarball, without writing one.
import { execFileSync } from 'node:child_process';

/** The packed files of the package in `dir`: `{ files: Set<path>, entryCount, size, unpackedSize }`. */
export function packListing(dir) {
  // npm runs the package's prepack/prepare scripts here too, as it would when publishing.
  const output = execFileSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [listing] = JSON.parse(output);
  return {
    files: new Set(listing.files.map((file) => file.path)),
    entryCount: listing.entryCount,
    size: listing.size,
    unpackedSize: listing.unpackedSize,
  };
}
