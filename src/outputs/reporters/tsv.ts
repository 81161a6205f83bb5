import { tsvField, withoutWorkflowCommands } from '../../util/index.js';
import type { Reporter } from './types.js';

/**
 * The original's doctor output: one line per finding,
 * `<slug>\t<severity>\t<code>\t<absolute path>\t<message>`; nothing at all
 * when there are no findings. Each field is escaped ({@link tsvField}), so a
 * name or message holding a tab, newline or control character stays inside
 * its field and its row, and a row whose slug starts with `::` does not
 * start a GitHub workflow command (`\x3a:`); other fields are byte for byte
 * the original's. A finding that cairn
 * names differently from the original (`Finding.v1`) is printed the
 * original's way, so scripts written against its output keep working.
 */
export function tsvReporter(): Reporter {
  return {
    group: (group) =>
      group.findings
        .map((finding) => {
          const { code, message } = finding.v1 ?? finding;
          return withoutWorkflowCommands(`${[finding.slug, finding.severity, code, finding.path, message].map(tsvField).join('\t')}\n`);
        })
        .join(''),
    end: () => '',
  };
}
