import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReadyAnswer, parseStatusBlock } from '../../src/execution/index.js';
import { DEMO_EXECUTION } from '../../src/planning/demo/execution-recording.js';
import { DEMO_CONFIG_JS_V1, DEMO_CONFIG_TEST_V1, DEMO_PROJECT_FILES, DEMO_TEST_COMMAND } from '../../src/planning/demo/project.js';
import { tempDir } from '../support/tmp.js';

function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [relative, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
}

function runTests(root: string): { status: number | null; passed: string | undefined } {
  const [command, ...args] = DEMO_TEST_COMMAND.split(' ');
  expect(command).toBe('node');
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, passed: /^# pass (\d+)$/m.exec(result.stdout)?.[1] };
}

describe('the demo execution recording', () => {
  const execute = DEMO_EXECUTION['execute']!;

  it('answers the ready-check with yes', () => {
    expect(parseReadyAnswer(DEMO_EXECUTION['ready-check']!.stdout)).toEqual({
      verdict: 'yes',
      reason: 'getConfigSync() is exported and loadConfig does not exist yet',
      downgradedFromUnverifiable: false,
    });
    expect(DEMO_EXECUTION['ready-check']!.files).toEqual({});
  });

  it('ends the execute step with a complete status block', () => {
    expect(parseStatusBlock(execute.stdout)).toEqual({
      phase_reached: 'done',
      decision: 'commit',
      retry_recommendation: 'none',
      failure_kind: 'none',
      summary: 'Added an async, validated loadConfig() beside getConfigSync(), with tests.',
      commit_rationale:
        'Callers can move to a loader that reads config.json once and rejects a bad greeting or port with an error naming the field and the file.',
      next_retry_focus: 'none',
      tests_run: DEMO_TEST_COMMAND,
      evidence: ['src/config.js', 'test/config.test.js'],
    });
  });

  it('adds loadConfig() and its tests and keeps getConfigSync() as it was', () => {
    expect(Object.keys(execute.files)).toEqual(['src/config.js', 'test/config.test.js']);
    const config = execute.files['src/config.js']!;
    expect(config).toContain("export async function loadConfig(file = 'config.json') {");
    expect(config).toContain("import { readFile } from 'node:fs/promises';\n");
    expect(config).toContain(DEMO_CONFIG_JS_V1.slice(DEMO_CONFIG_JS_V1.indexOf('// Reads config.json')));
    expect(execute.files['test/config.test.js']).toContain("import { getConfigSync, loadConfig } from '../src/config.js';");
    expect(execute.files['test/config.test.js']).toContain(DEMO_CONFIG_TEST_V1.slice(DEMO_CONFIG_TEST_V1.indexOf("test('getConfigSync")));
  });

  it("passes the project's tests before and after the change", () => {
    const root = tempDir('cairn-demo-project-');
    writeFiles(root, DEMO_PROJECT_FILES);
    expect(runTests(root)).toEqual({ status: 0, passed: '1' });
    writeFiles(root, execute.files);
    expect(runTests(root)).toEqual({ status: 0, passed: '3' });
  });

  it('fails the tests when loadConfig() does not validate', () => {
    const root = tempDir('cairn-demo-project-');
    writeFiles(root, DEMO_PROJECT_FILES);
    writeFiles(root, { ...execute.files, 'src/config.js': execute.files['src/config.js']!.replace('config.port < 1 ||', '') });
    const result = runTests(root);
    expect(result.status).toBe(1);
  });
});
