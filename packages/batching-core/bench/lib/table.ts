/** A plain-text table; numbers are right-aligned so that magnitudes line up. */
export function renderTable(title: string, headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) =>
    row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)),
  );
  const numeric = headers.map((_, c) => rows.every((row) => typeof row[c] === 'number'));
  const widths = headers.map((header, c) =>
    Math.max(header.length, ...cells.map((row) => row[c].length)),
  );
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ');
  return [
    title,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
