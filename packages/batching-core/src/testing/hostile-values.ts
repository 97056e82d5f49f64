/*
 * Values an application can hand an exporter that a naive serialiser cannot write: each exporter
 * package's tests pass them through its encoding (see boundedValue in the core).
 */

/** `const b = {}; b.a = b; b.b = b`: refers to itself twice; naive expansion never ends. */
export function selfReferringValue(): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  b.a = b;
  b.b = b;
  return b;
}

/** No cycle, but `n[i] = { a: n[i+1], b: n[i+1] }`: written out naively, 2^levels leaves. */
export function doublingValue(levels = 40): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < levels; i++) node = { a: node, b: node };
  return node;
}

/**
 * Few values, no cycle, but one long text under every leaf: `doublingValue(17)` over a 40,000
 * character string, 131,072 leaves and 5.2 billion characters written out naively. A bound on
 * the count of values alone lets it through (100,000 values are 33,330 leaves, 1.3 GB).
 */
export function doublingTextValue(levels = 17, leafChars = 40_000): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: 'x'.repeat(leafChars) };
  for (let i = 0; i < levels; i++) node = { a: node, b: node };
  return node;
}
