import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './cli.js';

/**
 * Transpiles `entry` (a file under src/) and every relative module it
 * imports into `outDir`, as plain ESM JavaScript, so a separate `node`
 * process can run cairn's code as it is in the working tree. The
 * project's node_modules is linked into `outDir` for the packages those
 * modules import. Returns the path of the transpiled entry.
 */
export function transpileForNode(entry: string, outDir: string): string {
  const srcRoot = path.join(REPO_ROOT, 'src');
  const pending = [path.join(srcRoot, entry)];
  const done = new Set<string>();
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
  const nodeModules = path.join(outDir, 'node_modules');
  if (!existsSync(nodeModules)) symlinkSync(path.join(REPO_ROOT, 'node_modules'), nodeModules, 'dir');
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(path.resolve(path.dirname(file), `${match[1]}.ts`));
    }
    const output = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = path.join(outDir, path.relative(srcRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, output);
  }
  return path.join(outDir, entry.replace(/\.ts$/, '.js'));
}
