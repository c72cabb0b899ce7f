// The package's TypeScript declarations, checked as a user meets them: `tsc --noEmit` on
// js-tests/types/example.ts (strict; every export used, wrong types rejected), every runtime
// export covered by the example, and no `any` anywhere in what `import ... from 'creditcast'`
// can name. Needs pkg/ (make build); CREDITCAST_PKG checks a copy instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkgDir = process.env.CREDITCAST_PKG ?? join(root, 'pkg');
const typesDir = join(root, 'js-tests', 'types');
const example = join(typesDir, 'example.ts');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function requirePkg() {
  assert.ok(existsSync(join(pkgDir, 'index.d.ts')), `${pkgDir} is not built (no index.d.ts): run \`make build\` first`);
}

test('tsc --noEmit: the example using every export type-checks (strict), wrong types are rejected', { timeout: 120_000 }, async () => {
  requirePkg();
  let project = join(typesDir, 'tsconfig.json');
  let tmp;
  if (process.env.CREDITCAST_PKG) {
    // Same settings, with `creditcast` mapped to the other build.
    tmp = mkdtempSync(join(tmpdir(), 'creditcast-types-'));
    project = join(tmp, 'tsconfig.json');
    writeFileSync(project, JSON.stringify({
      extends: join(typesDir, 'tsconfig.json'),
      compilerOptions: { paths: { creditcast: [join(pkgDir, 'index.d.ts')], 'creditcast/rating': [join(pkgDir, 'rating', 'index.d.ts')] } },
      files: [example],
    }));
  }
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], { cwd: root, timeout: 110_000 });
  } catch (e) {
    assert.fail(`tsc reported errors (an unused @ts-expect-error means a wrong type was accepted):\n${e.stdout || ''}${e.stderr || e.message}`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('the example imports every runtime export of the package', () => {
  requirePkg();
  const entry = readFileSync(join(pkgDir, 'index.js'), 'utf8');
  const exported = new Set();
  for (const [, list] of entry.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const item of list.split(',')) {
      const name = item.trim().split(/\s+as\s+/).pop();
      if (name) exported.add(name);
    }
  }
  assert.ok(exported.has('RatingEngine'), `no exports found in ${join(pkgDir, 'index.js')}`);
  const text = readFileSync(example, 'utf8');
  const [, imports = ''] = text.match(/import\s*\{([^}]*)\}\s*from\s*'creditcast'/) ?? [];
  const imported = new Set(imports.split(',').map((s) => s.trim()).filter(Boolean));
  const missing = [...exported].filter((n) => !imported.has(n));
  assert.deepEqual(missing, [], `js-tests/types/example.ts does not use: ${missing.join(', ')}`);
});

test('no `any` in the public declarations (everything `creditcast` exports, types included)', () => {
  requirePkg();
  const index = join(pkgDir, 'index.d.ts');
  const program = ts.createProgram([index], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, 'index.d.ts is not a module');
  const found = new Map();
  const seen = new Set();
  // Walk each exported declaration, and the declarations of every type it names, for `any`.
  const visitDecl = (decl, exportName) => {
    if (seen.has(decl)) return;
    seen.add(decl);
    const file = decl.getSourceFile();
    if (!file.fileName.startsWith(pkgDir)) return; // the standard library is not ours
    const walk = (node) => {
      if (node.kind === ts.SyntaxKind.AnyKeyword) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        const where = `${relative(pkgDir, file.fileName)}:${line + 1}`;
        if (!found.has(where)) found.set(where, `${where} (reached from \`${exportName}\`): ${file.text.split('\n')[line].trim()}`);
      }
      if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
        const target = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
        let sym = checker.getSymbolAtLocation(target);
        if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
        for (const d of sym?.declarations ?? []) visitDecl(d, exportName);
      }
      ts.forEachChild(node, walk);
    };
    walk(decl);
  };
  const exports = checker.getExportsOfModule(moduleSymbol);
  for (const sym of exports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    for (const d of target.declarations ?? []) visitDecl(d, sym.name);
  }
  assert.ok(exports.length > 10, `only ${exports.length} exports found in index.d.ts`);
  const lines = [...found.values()];
  assert.deepEqual(lines, [], `\`any\` in the public API (use a precise type or \`unknown\`, or keep the declaration out of index.d.ts):\n  ${lines.join('\n  ')}`);
});
