/**
 * Whether the backend at `url` is one of otelpack's fakes: each names itself at its root (as
 * text, in JSON, or in an Elasticsearch-style tagline). Against docker-compose the real product
 * answers there instead, and tests that read back through a fake's own endpoints skip.
 */
export async function isOtelpackFake(url: string, name: string | RegExp): Promise<boolean> {
  try {
    const response = await fetch(url);
    if (response.status !== 200) return false;
    const text = await response.text();
    return typeof name === 'string' ? text.includes(name) : name.test(text);
  } catch {
    return false; // not answering at its root: not one of ours
  }
}
