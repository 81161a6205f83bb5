import MarkdownIt from 'markdown-it';

/*
 * Markdown written by agents and people, rendered into the report. Raw HTML
 * in the source is escaped (`html: false`), and links with a `javascript:`,
 * `vbscript:`, `file:` or `data:` scheme are not made links (markdown-it's
 * link check), so a plan cannot put script into the page.
 */

function create() {
  return new MarkdownIt({ html: false, linkify: false, typographer: false });
}

let renderer: ReturnType<typeof create> | null = null;

function markdownIt(): ReturnType<typeof create> {
  renderer ??= create();
  return renderer;
}

/** `source` as HTML, with no raw HTML and no script-bearing link. */
export function renderMarkdown(source: string): string {
  return markdownIt().render(source);
}
