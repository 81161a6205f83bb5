// An esbuild plugin for scripts/bundle.js: imports through a folder's
// index.js (the only way one layer may import another) are rewritten to
// import each name from the module that defines it.
//
// Why: with code splitting, esbuild assigns a module to every entry point
// that can reach it through the import graph, whether or not the entry point
// uses it. Through the index files every command reached nearly every module,
// so each command's chunks held the whole library. Imported straight from
// their modules, a command's chunks hold only what it uses.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const IMPORT_FROM_INDEX = /^(import|export) \{([^}]*)\} from '(\.{1,2}\/[^']*index\.js)';/gm;
const REEXPORT = /^export \{([^}]*)\} from '(\.{1,2}\/[^']*)';$/;

/** `a`, `a as b` (and `type a`, which tsc leaves out) as `{ imported, local }`. */
function specifiers(list) {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const [imported, local = imported] = s.split(/\s+as\s+/);
      return { imported, local };
    });
}

/**
 * What an index file re-exports: exported name → `{ file, name }`, the module
 * that defines it and its name there. Null when the file does anything else
 * than re-export names, so that it is left as it is.
 */
function barrelOf(file, cache) {
  if (cache.has(file)) return cache.get(file);
  cache.set(file, null);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const names = new Map();
  for (const line of text.replace(/\/\*[\s\S]*?\*\//g, '').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('//')) continue;
    const match = REEXPORT.exec(trimmed);
    if (match === null) return null;
    const target = path.resolve(path.dirname(file), match[2]);
    const inner = path.basename(target) === 'index.js' ? barrelOf(target, cache) : null;
    for (const { imported, local } of specifiers(match[1])) {
      names.set(local, inner?.get(imported) ?? { file: target, name: imported });
    }
  }
  cache.set(file, names);
  return names;
}

function relativeSpecifier(from, to) {
  const relative = path.relative(path.dirname(from), to).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** `text` of module `file` with its imports through index files made direct. */
export function directImports(file, text, cache = new Map()) {
  return text.replace(IMPORT_FROM_INDEX, (whole, keyword, list, specifier) => {
    const barrel = barrelOf(path.resolve(path.dirname(file), specifier), cache);
    if (barrel === null) return whole;
    const byModule = new Map();
    for (const { imported, local } of specifiers(list)) {
      const origin = barrel.get(imported);
      if (origin === undefined) return whole;
      const names = byModule.get(origin.file) ?? [];
      names.push(origin.name === local ? local : `${origin.name} as ${local}`);
      byModule.set(origin.file, names);
    }
    return [...byModule]
      .map(([target, names]) => `${keyword} { ${names.join(', ')} } from '${relativeSpecifier(file, target)}';`)
      .join(' ');
  });
}

/** The plugin, for the modules under `root` (dist/). */
export function barrelImportsPlugin(root) {
  const cache = new Map();
  return {
    name: 'cairn-direct-imports',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(root + path.sep)) return undefined;
        return { contents: directImports(args.path, readFileSync(args.path, 'utf8'), cache), loader: 'js' };
      });
    },
  };
}
