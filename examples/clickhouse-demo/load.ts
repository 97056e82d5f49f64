/*
 * A load generator for the demo shop: a few concurrent "users" browse products, open some and
 * check out, until a deadline. It reports progress once a second through `onProgress`.
 */

export interface LoadResult {
  sent: number;
  byStatus: Record<number, number>;
}

function nextRequest(base: string): { url: string; method: string } {
  const roll = Math.random();
  if (roll < 0.35) return { url: `${base}/products`, method: 'GET' };
  if (roll < 0.75)
    return { url: `${base}/products/${Math.floor(Math.random() * 20)}`, method: 'GET' };
  if (roll < 0.95) return { url: `${base}/checkout`, method: 'POST' };
  return { url: `${base}/health`, method: 'GET' };
}

export async function generateLoad(
  base: string,
  options: { durationMs: number; users: number; onProgress: (sent: number) => void },
): Promise<LoadResult> {
  const result: LoadResult = { sent: 0, byStatus: {} };
  const deadline = Date.now() + options.durationMs;
  const ticker = setInterval(() => options.onProgress(result.sent), 1_000);
  const user = async () => {
    while (Date.now() < deadline) {
      const { url, method } = nextRequest(base);
      const response = await fetch(url, {
        method,
        body: method === 'POST' ? '{"cart":42}' : undefined,
      });
      await response.arrayBuffer();
      result.sent++;
      result.byStatus[response.status] = (result.byStatus[response.status] ?? 0) + 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.users }, user));
  } finally {
    clearInterval(ticker);
  }
  return result;
}
