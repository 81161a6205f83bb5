import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';
import { tsvReporter } from './tsv.js';
import type { DoctorFormat, Reporter, ReporterOptions } from './types.js';

export { DOCTOR_FORMATS, repoRelative, type DoctorFormat, type Painter, type PaintColour, type Reporter, type ReporterOptions } from './types.js';
export { escapeGithubData, escapeGithubProperty } from './github.js';
export { escapeXml } from './junit.js';
export { doctorJsonDocument, findingJson } from './json.js';
export { DoctorOutputSchema, DoctorSummarySchema, FindingJsonSchema, type DoctorJsonDocument, type FindingJson } from './json-schema.js';
export { SARIF_SCHEMA_URI } from './sarif.js';

/** The reporter of one `--format`. */
export function createReporter(format: DoctorFormat, options: ReporterOptions): Reporter {
  switch (format) {
    case 'text':
      return textReporter(options);
    case 'tsv':
      return tsvReporter();
    case 'json':
      return jsonReporter(options);
    case 'github':
      return githubReporter(options);
    case 'sarif':
      return sarifReporter(options);
    case 'junit':
      return junitReporter(options);
  }
}
