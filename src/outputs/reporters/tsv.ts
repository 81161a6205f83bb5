import type { Reporter } from './types.js';

/**
 * The original's doctor output, byte for byte: one line per finding,
 * `<slug>\t<severity>\t<code>\t<absolute path>\t<message>`, fields not
 * escaped; nothing at all when there are no findings. A finding that cairn
 * names differently from the original (`Finding.v1`) is printed the
 * original's way, so scripts written against its output keep working.
 */
export function tsvReporter(): Reporter {
  return {
    group: (group) =>
      group.findings
        .map((finding) => {
          const { code, message } = finding.v1 ?? finding;
          return `${[finding.slug, finding.severity, code, finding.path, message].join('\t')}\n`;
        })
        .join(''),
    end: () => '',
  };
}
