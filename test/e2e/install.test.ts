import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { NPM_TIMEOUT_MS, installIntoFreshProject, npmEnv, ownPackage, packCheckout, run } from '../support/packed-project.js';
import { templateDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/*
 * The README's install, CI and MCP snippets, run where a user runs them: in
 * a fresh project outside this checkout that installed the packed tarball.
 * Packing and installing happen once for the whole file (about 10-20 s);
 * see test/support/packed-project.ts for how the install stays offline and
 * skips the native build.
 */

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

interface McpServerEntry {
  command: string;
  args: string[];
  cwd?: string;
}

/** The server entry of the README's MCP configuration snippet. */
function readmeMcpEntry(): McpServerEntry {
  const block = /```json\n(\{\n {2}"mcpServers"[\s\S]*?)```/.exec(README);
  if (!block?.[1]) throw new Error('README.md has no ```json block with "mcpServers"');
  return (JSON.parse(block[1]) as { mcpServers: { cairn: McpServerEntry } }).mcpServers.cairn;
}

let root: string;
let project: string;
let env: Record<string, string>;

beforeAll(() => {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  root = templateDir('cairn-install-');
  mkdirSync(path.join(root, 'global'));
  mkdirSync(path.join(root, 'xdg'));
  env = { ...npmEnv(path.join(root, 'global')), XDG_CONFIG_HOME: path.join(root, 'xdg') };
  const tarball = packCheckout(root, env);
  project = path.join(root, 'project');
  mkdirSync(project);
  installIntoFreshProject(project, tarball, env);
}, 4 * NPM_TIMEOUT_MS);

describe.sequential('the packed package in a fresh project', () => {
  it('is cairn-cli and installs the command cairn', () => {
    const own = ownPackage();
    expect(own.name).toBe('cairn-cli');
    expect(README).toContain('npm install --save-dev cairn-cli\n');
    const installed = JSON.parse(readFileSync(path.join(project, 'node_modules', 'cairn-cli', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(installed.bin).toEqual({ cairn: 'bin/cairn.js' });
    expect(Object.keys(installed.devDependencies)).not.toContain('cairn');
    expect(realpathSync(path.join(project, 'node_modules', '.bin', 'cairn'))).toBe(path.join(project, 'node_modules', 'cairn-cli', 'bin', 'cairn.js'));
  });

  it('npx cairn --version prints the version; npx --no-install cairn without the package fails', () => {
    const version = run('npx', ['cairn', '--version'], project, env);
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe(`${ownPackage().version}\n`);
    expect(version.code).toBe(0);

    // No cairn to be found from the test's environment except the installed one.
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const missing = run('npx', ['--no-install', 'cairn', '--version'], elsewhere, env);
    expect(missing.stdout).toBe('');
    expect(missing.code).toBe(1);
  });

  it('npx cairn init and doctor --all, and the CI snippet, pass in a new git repository', () => {
    expect(run('git', ['init', '-q'], project, env).code).toBe(0);
    const init = run('npx', ['cairn', 'init'], project, env);
    expect(init.code, init.stderr).toBe(0);
    // The installed bin, without npx: list reads the local index, so the native sqlite addon has to load.
    const bin = path.join(project, 'node_modules', '.bin', 'cairn');
    const created = run(process.execPath, [bin, 'new', 'first-change', '--target', 'Try cairn from a fresh install'], project, env);
    expect(created.code, created.stderr).toBe(0);
    const list = run(process.execPath, [bin, 'list', '--format', 'tsv', '--no-headers'], project, env);
    expect(list.stdout.split('\t').slice(0, 3)).toEqual(['first-change', 'planning', 'planning:approaches']);
    expect(list.code, list.stderr).toBe(0);

    const doctor = run('npx', ['cairn', 'doctor', '--all'], project, env);
    expect(doctor.stdout).toBe('No findings; 1 migration checked.\n');
    expect(doctor.code).toBe(0);

    const ciLine = '- run: npx --no-install cairn doctor --all --format github\n';
    expect(README).toContain(ciLine);
    const ci = run('npx', ['--no-install', 'cairn', 'doctor', '--all', '--format', 'github'], project, env);
    expect(ci.stdout).toBe('cairn doctor: 0 errors, 0 warnings, 0 info; 1 migration checked.\n');
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(0);
  });

  it("the README's MCP server command answers initialize and tools/list", async () => {
    const entry = readmeMcpEntry();
    expect(entry.command).toBe('npx');
    expect(entry.args).toEqual(['--no-install', 'cairn', 'mcp']);
    // Its own process group, so a stalled server is killed with npx's children.
    const child = spawn(entry.command, entry.args, { cwd: project, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, NPM_TIMEOUT_MS);
    const messages: { id?: number; result?: { tools?: { name: string }[]; serverInfo?: { name: string } } }[] = [];
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) messages.push(JSON.parse(line) as (typeof messages)[number]);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const send = (message: object): void => {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    };
    const answer = async (id: number) => {
      const found = () => messages.find((message) => message.id === id);
      if (!(await waitFor(() => found() !== undefined, NPM_TIMEOUT_MS))) throw new Error(`no answer to request ${id}; stderr:\n${stderr}`);
      return found() as (typeof messages)[number];
    };
    try {
      send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'install-test', version: '1.0.0' } } });
      expect((await answer(1)).result?.serverInfo?.name).toBe('cairn');
      send({ method: 'notifications/initialized' });
      send({ id: 2, method: 'tools/list' });
      const names = ((await answer(2)).result?.tools ?? []).map((tool) => tool.name);
      expect(names).toContain('list');
      expect(names).toContain('doctor');
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(timer);
      killGroup();
    }
  });
});
