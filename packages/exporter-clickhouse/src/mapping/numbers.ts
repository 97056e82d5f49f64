/*
 * Integer columns take what the SDK hands over, which is always in range; these guards give any
 * other input one documented meaning instead of a rejected insert (ClickHouse refuses a fraction
 * or a negative number in an unsigned column, and the whole batch with it).
 */

/** An unsigned column value in [0, max]: NaN and negatives become 0, fractions are truncated. */
export function clampUnsigned(value: number | undefined, max: number): number {
  if (value === undefined || Number.isNaN(value) || value <= 0) return 0;
  if (value >= max) return max;
  return Math.trunc(value);
}

const UINT64_MAX = 18_446_744_073_709_551_615n;

/** A UInt64 value: NaN and negatives become 0, fractions are truncated, beyond 2^64−1 is 2^64−1. */
export function toUInt64(value: number | undefined): number | bigint {
  if (value === undefined || Number.isNaN(value) || value <= 0) return 0;
  if (value <= Number.MAX_SAFE_INTEGER) return Math.trunc(value);
  if (!Number.isFinite(value)) return UINT64_MAX;
  const big = BigInt(Math.trunc(value));
  return big > UINT64_MAX ? UINT64_MAX : big;
}

/** An Int32 value: NaN becomes 0, fractions are truncated, out-of-range values are clamped. */
export function toInt32(value: number | undefined): number {
  if (value === undefined || Number.isNaN(value)) return 0;
  if (value >= 2_147_483_647) return 2_147_483_647;
  if (value <= -2_147_483_648) return -2_147_483_648;
  return Math.trunc(value);
}
