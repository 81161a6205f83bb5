import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * The layers of src/ (docs/architecture.md): which folder may import which,
 * read from the code's own import statements. Value imports must follow the
 * table; `import type` may cross any line, since it leaves nothing at run
 * time. Every import that leaves a folder goes through the target folder's
 * index.ts, its one door.
 */

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

const LIBRARY = ['util', 'fs', 'json', 'store', 'publish', 'migration', 'config', 'agent', 'consistency', 'planning', 'execution', 'app'] as const;

/** Folder → the folders its value imports may reach. */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  json: ['util', 'fs'],
  fs: ['util'],
  store: ['util', 'json', 'fs'],
  publish: ['util', 'json', 'fs'],
  migration: ['util', 'json', 'fs'],
  config: ['util', 'json', 'fs', 'migration'],
  agent: ['util', 'json', 'fs', 'migration'],
  consistency: ['util', 'json', 'fs', 'migration', 'publish', 'config'],
  planning: ['util', 'json', 'fs', 'migration', 'publish', 'consistency', 'agent', 'config'],
  execution: ['util', 'json', 'fs', 'store', 'publish', 'migration', 'config', 'agent', 'consistency', 'planning'],
  app: ['util', 'json', 'fs', 'store', 'migration', 'publish', 'consistency', 'planning', 'agent', 'config', 'execution'],
  outputs: [...LIBRARY],
  /** cli starts the MCP server for `cairn mcp`; mcp never imports cli. */
  cli: [...LIBRARY, 'outputs', 'mcp'],
  mcp: [...LIBRARY, 'outputs'],
  /** Files directly under src/: the library entry. */
  '.': [...LIBRARY, 'outputs'],
};

interface ImportEdge {
  from: string;
  to: string;
  fromFolder: string;
  toFolder: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length === 1 ? '.' : (parts[0] as string);
}

/** Every relative import and re-export in src/, with whether it is type-only. */
function importEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      let specifier: string | null = null;
      let typeOnly = false;
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        specifier = node.moduleSpecifier.text;
        const clause = node.importClause;
        typeOnly =
          clause !== undefined &&
          (clause.isTypeOnly ||
            (clause.name === undefined &&
              clause.namedBindings !== undefined &&
              ts.isNamedImports(clause.namedBindings) &&
              clause.namedBindings.elements.length > 0 &&
              clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        specifier = node.moduleSpecifier.text;
        typeOnly =
          node.isTypeOnly ||
          (node.exportClause !== undefined &&
            ts.isNamedExports(node.exportClause) &&
            node.exportClause.elements.length > 0 &&
            node.exportClause.elements.every((element) => element.isTypeOnly));
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [argument] = node.arguments;
        if (argument !== undefined && ts.isStringLiteral(argument)) specifier = argument.text;
      }
      if (specifier !== null && specifier.startsWith('.')) {
        const to = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
        edges.push({ from: file, to, fromFolder: folderOf(file), toFolder: folderOf(to), typeOnly });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return edges;
}

const rel = (file: string): string => path.relative(path.dirname(SRC), file);

describe('architecture', () => {
  const edges = importEdges();
  const crossing = edges.filter((edge) => edge.fromFolder !== edge.toFolder);

  it('reads a real import graph', () => {
    expect(crossing.length).toBeGreaterThan(100);
    expect(Object.keys(ALLOWED).sort()).toEqual(
      [...new Set(sourceFiles(SRC).map(folderOf))].sort(),
    );
  });

  it('lets value imports cross folders only downwards, as the table says', () => {
    const violations = crossing
      .filter((edge) => !edge.typeOnly && !(ALLOWED[edge.fromFolder] ?? []).includes(edge.toFolder))
      .map((edge) => `${rel(edge.from)} -> ${rel(edge.to)} (${edge.fromFolder} may not import ${edge.toFolder})`);
    expect(violations).toEqual([]);
  });

  it('has no cycle between folders, counting type imports too', () => {
    const graph = new Map<string, Set<string>>();
    for (const edge of crossing) {
      if (!graph.has(edge.fromFolder)) graph.set(edge.fromFolder, new Set());
      graph.get(edge.fromFolder)?.add(edge.toFolder);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const walk = (folder: string, trail: string[]): void => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(folder)), folder].join(' -> '));
        return;
      }
      state.set(folder, 'open');
      for (const next of graph.get(folder) ?? []) walk(next, [...trail, folder]);
      state.set(folder, 'done');
    };
    for (const folder of graph.keys()) walk(folder, []);
    expect(cycles).toEqual([]);
  });

  it('enters another folder only through its index.ts', () => {
    const sideDoors = crossing
      .filter((edge) => edge.toFolder !== '.' && edge.to !== path.join(SRC, edge.toFolder, 'index.ts'))
      .map((edge) => `${rel(edge.from)} -> ${rel(edge.to)}`);
    expect(sideDoors).toEqual([]);
  });

  it('keeps the front ends apart and out of the library', () => {
    const frontEnds = ['cli', 'mcp'];
    const offending = crossing
      .filter(
        (edge) =>
          (frontEnds.includes(edge.toFolder) && edge.fromFolder !== 'cli') ||
          (edge.toFolder === 'outputs' && (LIBRARY as readonly string[]).includes(edge.fromFolder)),
      )
      .map((edge) => `${rel(edge.from)} -> ${rel(edge.to)}`);
    expect(offending).toEqual([]);
  });
});
