import MarkdownIt from 'markdown-it';

/*
 * Markdown written by agents and people, rendered into the report. Raw HTML
 * in the source is escaped (`html: false`), and links with a `javascript:`,
 * `vbscript:`, `file:` or `data:` scheme are not made links (markdown-it's
 * link check), so a plan cannot put script into the page. A link to another
 * doc of the same migration (`phase-1-x.md`) is pointed at that doc in the page.
 */

/** The render's env key for the map of a doc's relative path → its anchor in the page. */
const ANCHORS = 'cairnAnchors';

function anchorsOf(env: unknown): ReadonlyMap<string, string> | undefined {
  const value = (env as Record<string, unknown> | undefined)?.[ANCHORS];
  return value instanceof Map ? (value as ReadonlyMap<string, string>) : undefined;
}

function create() {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const fallback = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const href = token?.attrGet('href');
    const anchor = typeof href === 'string' ? anchorsOf(env)?.get(href.replace(/^\.\//, '')) : undefined;
    if (token !== undefined && anchor !== undefined) token.attrSet('href', `#${anchor}`);
    return fallback(tokens, idx, options, env, self);
  };
  return md;
}

let renderer: ReturnType<typeof create> | null = null;

function markdownIt(): ReturnType<typeof create> {
  renderer ??= create();
  return renderer;
}

/** `source` as HTML, with no raw HTML and no script-bearing link; links to the docs in `anchors` point into the page. */
export function renderMarkdown(source: string, anchors?: ReadonlyMap<string, string>): string {
  return markdownIt().render(source, anchors === undefined ? {} : { [ANCHORS]: anchors });
}
