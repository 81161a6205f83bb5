import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/*
 * The bundler rewrites imports through a folder's index.js to the modules
 * that define the names, so that each command's chunks hold only what it uses.
 */

type DirectImports = (file: string, text: string) => string;

async function directImports(): Promise<DirectImports> {
  const module = (await import(path.join(REPO_ROOT, 'scripts', 'barrel-imports.js'))) as { directImports: DirectImports };
  return module.directImports;
}

/** dist-like tree: a/index.js re-exports from a/one.js, a/two.js and the nested a/inner/index.js. */
function tree(): string {
  const root = tempDir('cairn-barrels-');
  mkdirSync(path.join(root, 'a', 'inner'), { recursive: true });
  mkdirSync(path.join(root, 'b'));
  writeFileSync(
    path.join(root, 'a', 'index.js'),
    [
      '/*',
      ' * The a layer.',
      ' */',
      "export { one, ONE as First } from './one.js';",
      "export { two } from './two.js';",
      "export { deep } from './inner/index.js';",
      '//# sourceMappingURL=index.js.map',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(root, 'a', 'inner', 'index.js'), "export { deep } from './deep.js';\n");
  return root;
}

describe('direct imports in the bundle', () => {
  it('imports each name from the module that defines it, renames and nested index files included', async () => {
    const rewrite = await directImports();
    const root = tree();
    const file = path.join(root, 'b', 'user.js');
    const text = "import { two, First as f,\n  deep, one } from '../a/index.js';\nexport { one as uno } from '../a/index.js';\nconsole.log(two);\n";
    expect(rewrite(file, text)).toBe(
      "import { two } from '../a/two.js'; import { ONE as f, one } from '../a/one.js'; import { deep } from '../a/inner/deep.js';\n" +
        "export { one as uno } from '../a/one.js';\nconsole.log(two);\n",
    );
  });

  it('leaves an import alone when the index file does more than re-export, or lacks a name', async () => {
    const rewrite = await directImports();
    const root = tree();
    writeFileSync(path.join(root, 'b', 'index.js'), "export { x } from './x.js';\nexport const y = 1;\n");
    const file = path.join(root, 'a', 'user.js');
    const text = "import { x } from '../b/index.js';\nimport { nothing } from './index.js';\n";
    expect(rewrite(file, text)).toBe(text);
  });
});
