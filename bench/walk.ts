// The walk of one build: what a reader follows from `build()` to know what a run does. Starting at run/build.ts
// `build`, it reads each function (or const) of the driver's lib/ that the code calls or names, depth first, each
// once, in source order. A "stay" is one function read; a "climb back up" is a jump to a file read before that is
// not the file just read (the reader goes back to an earlier file). Only the orchestration is followed (run/,
// plan/, incremental/, locks/, reuse/, lineage/, unit-tests/): what a helper of render/, project/, logs/ or the
// worker does is read from its name; and only DEPTH calls deep (build: 0, what it calls: 1, …; default 3): past
// that, a function's name says what it does. Usage: node --import tsx bench/walk.ts [--list] [--depth N]
import { join, relative } from 'node:path';
import ts from 'typescript';

const LIB = process.env.WALK_LIB ?? join(import.meta.dirname, '..', 'packages', 'ducksteps', 'lib');
/** The driver's orchestration: what a run does, stage by stage (before this round all of it was orchestration/). */
const FOLLOW = /^(run|plan|incremental|locks|reuse|lineage|unit-tests|orchestration)\//;

const config = ts.readConfigFile(join(LIB, '..', 'tsconfig.json'), ts.sys.readFile); // WALK_LIB: another checkout's lib/
const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(LIB, '..'));
const program = ts.createProgram(parsed.fileNames, parsed.options);
const checker = program.getTypeChecker();

const inLib = (file: string) => FOLLOW.test(relative(LIB, file));
/** A top-level function or const, or a method of a top-level object (a stage runner). */
const topLevel = (d: ts.Node): boolean =>
  ts.isSourceFile(d.parent) ||
  (ts.isVariableDeclarationList(d.parent) &&
    ts.isVariableStatement(d.parent.parent) &&
    ts.isSourceFile(d.parent.parent.parent));
const inTopObject = (d: ts.Node): boolean => {
  for (let n: ts.Node | undefined = d.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n)) return false;
    if (ts.isVariableDeclaration(n)) return topLevel(n);
  }
  return false;
};
/** Code a reader follows: a function, or an object of functions (a table of stages); not a constant. */
const isCode = (e: ts.Expression | undefined): boolean =>
  e !== undefined &&
  (ts.isArrowFunction(e) ||
    ts.isFunctionExpression(e) ||
    (ts.isObjectLiteralExpression(e) &&
      e.properties.some(
        (p) =>
          ts.isMethodDeclaration(p) ||
          isCode((p as ts.PropertyAssignment).initializer) ||
          ts.isIdentifier((p as ts.PropertyAssignment).initializer),
      )) ||
    ((ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) && isCode(e.expression)));
const followable = (d: ts.Declaration) =>
  (ts.isFunctionDeclaration(d) && topLevel(d)) ||
  (ts.isVariableDeclaration(d) && topLevel(d) && isCode(d.initializer)) ||
  (ts.isMethodDeclaration(d) && inTopObject(d)) ||
  (ts.isPropertyAssignment(d) && inTopObject(d) && (isCode(d.initializer) || ts.isIdentifier(d.initializer)));

const seen = new Set<ts.Node>();
const stays: Array<{ file: string; name: string }> = [];

function declarationOf(id: ts.Identifier): ts.Declaration | undefined {
  let symbol = checker.getSymbolAtLocation(id);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol?.declarations?.find((d) => inLib(d.getSourceFile().fileName) && followable(d));
}

const DEPTH = Number(process.argv[process.argv.indexOf('--depth') + 1]) || 3;

function visit(decl: ts.Declaration, depth = 0): void {
  if (seen.has(decl) || depth > DEPTH) return;
  seen.add(decl);
  const name = (decl as ts.NamedDeclaration).name?.getText() ?? '?';
  stays.push({ file: relative(LIB, decl.getSourceFile().fileName), name });
  const walk = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node) && node.parent && !ts.isPropertyAccessExpression(node.parent)) {
      const target = declarationOf(node);
      if (target && target !== decl) visit(target, depth + 1);
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
      const target = declarationOf(node.name);
      if (target) visit(target, depth + 1);
    }
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(decl, walk);
}

const start = (program.getSourceFile(join(LIB, 'run', 'build.ts')) ??
  program.getSourceFile(join(LIB, 'orchestration', 'build.ts')))!;
const build = start.statements.find(
  (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'build',
)!;
visit(build);
let climbs = 0;
const read = new Set<string>();
stays.forEach((s, i) => {
  if (i > 0 && s.file !== stays[i - 1].file && read.has(s.file)) climbs++;
  read.add(s.file);
});
if (process.argv.includes('--list')) for (const s of stays) console.log(`${s.file}: ${s.name}`);
console.log(`walk of build(): ${stays.length} stays in ${read.size} files, ${climbs} climbs back up`);
