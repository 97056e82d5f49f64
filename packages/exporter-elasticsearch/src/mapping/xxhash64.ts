/*
 * XXH64 with seed 0, for `_metric_names_hash`: the Collector hashes the sorted metric names with
 * xxhash (cespare/xxhash), and a document's hash is one of its time series dimensions, so only
 * the same function makes a series written by both land as one. Inputs are a handful of metric
 * names per document, so BigInt arithmetic is fast enough and keeps this dependency-free.
 */

const MASK = 0xffffffffffffffffn;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function rotl(value: bigint, bits: bigint): bigint {
  return ((value << bits) | (value >> (64n - bits))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK;
}

function mergeRound(acc: bigint, value: bigint): bigint {
  return (((acc ^ round(0n, value)) * P1) & MASK) + P4;
}

function u64(bytes: Uint8Array, at: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  return view.getBigUint64(0, true);
}

function u32(bytes: Uint8Array, at: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 4);
  return BigInt(view.getUint32(0, true));
}

export function xxhash64(bytes: Uint8Array): bigint {
  const length = bytes.length;
  let at = 0;
  let hash: bigint;
  if (length >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & MASK;
    for (; at + 32 <= length; at += 32) {
      v1 = round(v1, u64(bytes, at));
      v2 = round(v2, u64(bytes, at + 8));
      v3 = round(v3, u64(bytes, at + 16));
      v4 = round(v4, u64(bytes, at + 24));
    }
    hash = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    hash = mergeRound(hash, v1) & MASK;
    hash = mergeRound(hash, v2) & MASK;
    hash = mergeRound(hash, v3) & MASK;
    hash = mergeRound(hash, v4) & MASK;
  } else {
    hash = P5;
  }
  hash = (hash + BigInt(length)) & MASK;
  for (; at + 8 <= length; at += 8) {
    hash ^= round(0n, u64(bytes, at));
    hash = ((rotl(hash, 27n) * P1) & MASK) + P4;
    hash &= MASK;
  }
  if (at + 4 <= length) {
    hash ^= (u32(bytes, at) * P1) & MASK;
    hash = ((rotl(hash, 23n) * P2) & MASK) + P3;
    hash &= MASK;
    at += 4;
  }
  for (; at < length; at++) {
    hash ^= (BigInt(bytes[at]) * P5) & MASK;
    hash = (rotl(hash, 11n) * P1) & MASK;
  }
  hash ^= hash >> 33n;
  hash = (hash * P2) & MASK;
  hash ^= hash >> 29n;
  hash = (hash * P3) & MASK;
  hash ^= hash >> 32n;
  return hash;
}
