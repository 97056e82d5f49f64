// The link targets of a Markdown file as GitHub and npm render them: inline links and images,
// reference definitions, autolinks and HTML href/src. Code blocks and code spans are skipped,
// since what they show is not a link.

const FENCE = /^\s*(```|~~~)/;
const CODE_SPAN = /(`+)[^`][\s\S]*?\1/g;
const LINK_PATTERNS = [
  /\]\(\s*<([^>]*)>/g, // [text](<target with spaces>)
  /\]\(\s*([^\s<)][^\s)]*)/g, // [text](target "title")
  /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)/g, // [label]: target
  /<((?:https?|mailto):[^>\s]+)>/g, // <https://…>
  /\b(?:href|src)\s*=\s*["']([^"']+)["']/g, // <a href="…">, <img src="…">
];

/** `[{ line, target }]` for every link of `markdown`, `line` 1-based. */
export function markdownLinks(markdown) {
  const links = [];
  let inFence = false;
  markdown.split('\n').forEach((text, index) => {
    if (FENCE.test(text)) {
      inFence = !inFence;
      return;
    }
    if (inFence) return;
    const prose = text.replace(CODE_SPAN, (span) => ' '.repeat(span.length));
    for (const pattern of LINK_PATTERNS) {
      for (const match of prose.matchAll(pattern))
        links.push({ line: index + 1, target: match[1] });
    }
  });
  return links;
}
