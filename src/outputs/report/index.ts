export { DEFAULT_HTML_MAX_BYTES, HtmlReportPage, htmlReportParts, renderHtmlReport, type HtmlReportOptions } from './html.js';
export { DEFAULT_MAX_DIAGRAMS, renderMarkdownReport, type MarkdownReportOptions } from './github-markdown.js';
export { renderMarkdown } from './markdown.js';
export { BOARD_COLUMNS, anchorOf, boardColumn, newestTimestamp, type BoardColumn, type ReportData } from './model.js';
export { phaseTrackText, planningGraphText, type GraphColour, type TerminalGraphOptions } from './terminal-graph.js';
