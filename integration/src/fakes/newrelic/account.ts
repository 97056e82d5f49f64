/*
 * PART OF A FAKE: the account of otelpack's New Relic fake. Its license key has the documented
 * shape (40 letters and digits, ending in NRAL) and is known to nobody but the fake.
 */
export const FAKE_LICENSE_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00123NRAL';
