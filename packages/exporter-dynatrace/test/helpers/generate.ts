import { seededRandom } from '@otelpack/batching-core/testing';

/*
 * Inputs for the oracle comparison: strings over the characters the normalisation rules treat
 * differently (letters of both cases, digits, `_ - : .`, the characters a value escapes, control
 * characters, non-ASCII), of lengths around the limits, from a seed so that a run can be replayed.
 */
const PIECES = [
  'a',
  'Z',
  'k',
  '0',
  '9',
  '_',
  '-',
  ':',
  '.',
  '..',
  ' ',
  ',',
  '=',
  '\\',
  '"',
  '\u0000',
  '\u0007',
  '\u001f',
  '\u007f',
  'ä',
  'Ö',
  'ß',
  'İ',
  '€',
  '😀',
  '\t',
  '\n',
  '~',
  '@',
  '#',
  '/',
  'é',
  'metric',
  'http.server',
  'Key',
  'dt.',
  '12',
];

export function generatedStrings(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const result: string[] = [];
  for (let i = 0; i < count; i++) {
    // Mostly short; one in eight long enough to cross the 100/250 character limits.
    const pieces = random() < 0.125 ? 60 + Math.floor(random() * 120) : Math.floor(random() * 12);
    let text = '';
    for (let j = 0; j < pieces; j++) text += PIECES[Math.floor(random() * PIECES.length)];
    result.push(text);
  }
  return result;
}

export interface GeneratedPoint {
  kind: 'gauge' | 'count' | 'summary';
  name: string;
  dimensions: [string, string][];
  value: number;
  timestampMs: number;
}

/** Points with random names, dimensions and values, for whole-line comparison. */
export function generatedPoints(seed: number, count: number): GeneratedPoint[] {
  const random = seededRandom(seed);
  const strings = generatedStrings(seed + 1, count * 8);
  const kinds = ['gauge', 'count', 'summary'] as const;
  const points: GeneratedPoint[] = [];
  let s = 0;
  for (let i = 0; i < count; i++) {
    const dimensions: [string, string][] = [];
    const n = Math.floor(random() * 4);
    for (let j = 0; j < n; j++)
      dimensions.push([strings[s++ % strings.length], strings[s++ % strings.length]]);
    const magnitude = [1, 1e-7, 1e6, 1e22, 0.1][Math.floor(random() * 5)];
    points.push({
      kind: kinds[Math.floor(random() * 3)],
      name: random() < 0.8 ? `app.${strings[s++ % strings.length]}` : strings[s++ % strings.length],
      dimensions,
      value: Math.round((random() - 0.2) * 1000) * magnitude + 0, // + 0: no -0, which JSON cannot keep
      timestampMs: 1_700_000_000_000 + Math.floor(random() * 1e9),
    });
  }
  return points;
}
