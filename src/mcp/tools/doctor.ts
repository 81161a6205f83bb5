import { doctorRun, SeverityInput } from '../../app/index.js';
import { SummaryCounter } from '../../consistency/index.js';
import { DoctorOutputSchema, doctorJsonDocument, findingJson, type FindingJson } from '../../outputs/index.js';
import { slugField } from '../fields.js';
import { defineTool } from '../tool.js';

export const doctorTool = defineTool({
  name: 'doctor',
  title: 'Check migrations',
  description:
    'Check one migration, or without slug every migration, the publish lock and leftover transactions (as `cairn doctor --format json`). Read-only; findings are results, not errors.',
  input: {
    slug: slugField.optional().describe('One migration (slug or directory); omit to check everything.'),
    severity: SeverityInput.optional().describe("Lowest severity that sets summary.failed (default 'error')."),
  },
  output: DoctorOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, env) {
    const run = await doctorRun(args.slug, env.globals, null);
    const counter = new SummaryCounter(args.severity ?? 'error');
    const findings: FindingJson[] = [];
    for await (const group of run.groups) {
      counter.add(group);
      for (const finding of group.findings) findings.push(findingJson(finding, run.repoRoot));
    }
    return { document: doctorJsonDocument(findings, counter.result()) };
  },
});
