// publint on every package under packages/ (the private ones aside), as npm packs it, in strict
// mode (its warnings are errors). Its suggestions fail the check too: each is either fixed or
// explained here, so none is left for a reader to wonder about.
//
// Usage: node scripts/check-publint.mjs   (after `npm run build`)
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { publishablePackages } from './workspace-packages.mjs';

let failed = 0;
for (const { dir, manifest } of publishablePackages()) {
  const { messages, pkg } = await publint({
    pkgDir: dir,
    pack: 'npm',
    level: 'suggestion',
    strict: true,
  });
  if (messages.length === 0) {
    process.stdout.write(`${manifest.name}: publint --strict: no error, warning or suggestion\n`);
    continue;
  }
  failed++;
  process.stderr.write(`${manifest.name}: publint --strict:\n`);
  for (const message of messages) {
    process.stderr.write(`  ${message.type}: ${formatMessage(message, pkg, { color: false })}\n`);
  }
}
if (failed > 0) {
  process.stderr.write(`publint: ${failed} package(s) with messages\n`);
  process.exit(1);
}
