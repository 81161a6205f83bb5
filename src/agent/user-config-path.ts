import os from 'node:os';
import path from 'node:path';

/**
 * The user config file: `$XDG_CONFIG_HOME/cairn/config.json` when
 * `XDG_CONFIG_HOME` is an absolute path (the XDG rule: a relative value is
 * ignored), else `$HOME/.config/cairn/config.json`.
 */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base =
    xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)
      ? xdg
      : path.join(env.HOME !== undefined && env.HOME !== '' ? env.HOME : os.homedir(), '.config');
  return path.join(base, 'cairn', 'config.json');
}
