/**
 * The API reference of the published packages (`docs/api/<package>.md` and `docs/api/README.md`),
 * generated from each package's `src/index.ts` with the TypeScript compiler API: every export,
 * its kind, its signature and its doc comment. Deterministic: the same sources give the same
 * bytes. `api-docs.test.ts` fails when the files in `docs/api/` are stale.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** The kinds of export the reference tells apart, in the order of its sections. */
export const API_KINDS = ['function', 'class', 'constant', 'interface', 'type', 'enum'] as const;
/** One of {@link API_KINDS}. */
export type ApiKind = (typeof API_KINDS)[number];

/** One export of a package's entry point. */
export interface ApiExport {
  readonly name: string;
  readonly kind: ApiKind;
  /** The declaration as TypeScript, bodies and initialisers left out. */
  readonly signature: string;
  /** The doc comment, with its tags (`@param`, `@throws`, …) as lines of their own. */
  readonly doc: string;
  /** The file that declares it, relative to the repository (or the module it is re-exported from). */
  readonly source: string;
  /** True when it comes from another npm package (`ObjectId` from `bson`). */
  readonly external: boolean;
}

/** The public API of one package. */
export interface PackageApi {
  /** The folder under `packages/`. */
  readonly folder: string;
  /** `@edx-data/<folder>`. */
  readonly name: string;
  /** `description` of its package.json. */
  readonly description: string;
  readonly exports: readonly ApiExport[];
}

const SECTION_TITLES: Readonly<Record<ApiKind, string>> = {
  function: 'Functions',
  class: 'Classes',
  constant: 'Constants',
  interface: 'Interfaces',
  type: 'Types',
  enum: 'Enums',
};

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function isPublicMember(member: ts.ClassElement): boolean {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return false;
  const flags = ts.getCombinedModifierFlags(member);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

const HIDDEN_MODIFIERS = new Set([
  ts.SyntaxKind.ExportKeyword,
  ts.SyntaxKind.DefaultKeyword,
  ts.SyntaxKind.AsyncKeyword,
]);

/** The modifiers a caller sees (no `export`, `default` or `async`: the return type says it). */
function withoutExport(
  modifiers: ts.NodeArray<ts.ModifierLike> | undefined,
): ts.ModifierLike[] | undefined {
  const kept = modifiers?.filter((m) => !HIDDEN_MODIFIERS.has(m.kind));
  return kept !== undefined && kept.length > 0 ? kept : undefined;
}

/** Parameters as a caller sees them: `options = {}` is `options?`. */
function callerParameters(
  parameters: ts.NodeArray<ts.ParameterDeclaration>,
): ts.ParameterDeclaration[] {
  return parameters.map((p) =>
    p.initializer === undefined
      ? p
      : ts.factory.updateParameterDeclaration(
          p,
          p.modifiers,
          p.dotDotDotToken,
          p.name,
          ts.factory.createToken(ts.SyntaxKind.QuestionToken),
          p.type,
          undefined,
        ),
  );
}

/** A class member without its body or initialiser, or undefined when it is not public. */
function memberSignature(member: ts.ClassElement): ts.ClassElement | undefined {
  if (!isPublicMember(member)) return undefined;
  const f = ts.factory;
  if (ts.isConstructorDeclaration(member)) {
    return f.updateConstructorDeclaration(
      member,
      member.modifiers,
      callerParameters(member.parameters),
      undefined,
    );
  }
  if (ts.isMethodDeclaration(member)) {
    return f.updateMethodDeclaration(
      member,
      withoutExport(member.modifiers),
      member.asteriskToken,
      member.name,
      member.questionToken,
      member.typeParameters,
      callerParameters(member.parameters),
      member.type,
      undefined,
    );
  }
  if (ts.isPropertyDeclaration(member)) {
    return f.updatePropertyDeclaration(
      member,
      member.modifiers,
      member.name,
      member.questionToken ?? member.exclamationToken,
      member.type,
      undefined,
    );
  }
  if (ts.isGetAccessorDeclaration(member)) {
    return f.updateGetAccessorDeclaration(
      member,
      member.modifiers,
      member.name,
      member.parameters,
      member.type,
      undefined,
    );
  }
  if (ts.isSetAccessorDeclaration(member)) {
    return f.updateSetAccessorDeclaration(
      member,
      member.modifiers,
      member.name,
      member.parameters,
      undefined,
    );
  }
  if (ts.isIndexSignatureDeclaration(member)) return member;
  return undefined;
}

function print(node: ts.Node, file: ts.SourceFile): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, file);
}

/** The type the compiler infers for a constant (`as const` objects in full), as TypeScript. */
function inferredType(declaration: ts.VariableDeclaration, checker: ts.TypeChecker): string {
  const type = checker.getTypeAtLocation(declaration);
  const node = checker.typeToTypeNode(type, declaration, ts.NodeBuilderFlags.NoTruncation);
  if (node === undefined) {
    return checker.typeToString(type, declaration, ts.TypeFormatFlags.NoTruncation);
  }
  // The node builder marks object types single-line; one member a line reads better.
  const multiline = (n: ts.Node): void => {
    ts.setEmitFlags(n, ts.EmitFlags.None);
    ts.forEachChild(n, multiline);
  };
  multiline(node);
  return print(node, declaration.getSourceFile());
}

/** The declaration's signature, or undefined for a declaration the reference does not show. */
function signatureOf(
  declaration: ts.Declaration,
  name: string,
  checker: ts.TypeChecker,
): { kind: ApiKind; signature: string } | undefined {
  const file = declaration.getSourceFile();
  const f = ts.factory;
  if (ts.isFunctionDeclaration(declaration)) {
    const node = f.updateFunctionDeclaration(
      declaration,
      withoutExport(declaration.modifiers),
      declaration.asteriskToken,
      declaration.name,
      declaration.typeParameters,
      callerParameters(declaration.parameters),
      declaration.type,
      undefined,
    );
    return { kind: 'function', signature: print(node, file) };
  }
  if (ts.isClassDeclaration(declaration)) {
    const members = declaration.members
      .map(memberSignature)
      .filter((m): m is ts.ClassElement => m !== undefined);
    const node = f.updateClassDeclaration(
      declaration,
      withoutExport(declaration.modifiers),
      declaration.name,
      declaration.typeParameters,
      declaration.heritageClauses,
      members,
    );
    return { kind: 'class', signature: print(node, file) };
  }
  if (ts.isInterfaceDeclaration(declaration)) {
    const node = f.updateInterfaceDeclaration(
      declaration,
      withoutExport(declaration.modifiers),
      declaration.name,
      declaration.typeParameters,
      declaration.heritageClauses,
      declaration.members,
    );
    return { kind: 'interface', signature: print(node, file) };
  }
  if (ts.isTypeAliasDeclaration(declaration)) {
    const node = f.updateTypeAliasDeclaration(
      declaration,
      withoutExport(declaration.modifiers),
      declaration.name,
      declaration.typeParameters,
      declaration.type,
    );
    return { kind: 'type', signature: print(node, file) };
  }
  if (ts.isEnumDeclaration(declaration)) {
    const node = f.updateEnumDeclaration(
      declaration,
      withoutExport(declaration.modifiers),
      declaration.name,
      declaration.members,
    );
    return { kind: 'enum', signature: print(node, file) };
  }
  if (ts.isVariableDeclaration(declaration)) {
    const type =
      declaration.type !== undefined
        ? print(declaration.type, file)
        : inferredType(declaration, checker);
    return { kind: 'constant', signature: `const ${name}: ${type};` };
  }
  return undefined;
}

/** The doc comment written on `export { … } from '…'` itself (for names of other packages). */
function exportStatementDoc(symbol: ts.Symbol): string {
  const specifier = symbol.getDeclarations()?.find(ts.isExportSpecifier);
  if (specifier === undefined) return '';
  const statement = specifier.parent.parent;
  return ts
    .getJSDocCommentsAndTags(statement)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join('\n\n')
    .trim();
}

function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tags = symbol.getJsDocTags(checker).map((tag) => {
    const body = ts.displayPartsToString(tag.text).trim();
    return body === '' ? `@${tag.name}` : `@${tag.name} ${body}`;
  });
  return [text, ...tags].filter((part) => part !== '').join('\n\n');
}

/** The module an external export comes from (`bson`), read from its `node_modules` path. */
function externalModule(fileName: string): string {
  const parts = toPosix(fileName).split('/node_modules/');
  const inside = (parts[parts.length - 1] ?? fileName).split('/');
  const scope = inside[0] ?? '';
  return scope.startsWith('@') ? `${scope}/${inside[1] ?? ''}` : scope;
}

function exportsOf(program: ts.Program, root: string, entry: string): ApiExport[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  const moduleSymbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
  if (moduleSymbol === undefined) throw new Error(`${entry}: not a module`);
  const result: ApiExport[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target =
      (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
    const declarations = target.getDeclarations() ?? [];
    const first = declarations[0];
    if (first === undefined) continue;
    const fileName = first.getSourceFile().fileName;
    const external = toPosix(fileName).includes('/node_modules/');
    const signatures = declarations
      .map((declaration) => signatureOf(declaration, exported.name, checker))
      .filter((s): s is { kind: ApiKind; signature: string } => s !== undefined);
    const kind = signatures[0]?.kind;
    if (kind === undefined) continue;
    // The doc comment of the export itself (on `export { ObjectId } from 'bson'`) wins for
    // external names; otherwise the declaration's.
    const ownDoc = exportStatementDoc(exported);
    const targetDoc = docOf(target, checker);
    const doc = (external && ownDoc !== '') || targetDoc === '' ? ownDoc : targetDoc;
    result.push({
      name: exported.name,
      kind,
      signature: external
        ? `export { ${exported.name} } from '${externalModule(fileName)}';`
        : signatures.map((s) => s.signature).join('\n'),
      doc,
      source: external ? externalModule(fileName) : toPosix(relative(root, fileName)),
      external,
    });
  }
  return result.sort((a, b) =>
    a.kind === b.kind
      ? a.name.localeCompare(b.name, 'en')
      : API_KINDS.indexOf(a.kind) - API_KINDS.indexOf(b.kind),
  );
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json');
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  return { ...parsed.options, noEmit: true, composite: false, declaration: false, types: ['node'] };
}

/** The folders under `packages/` that have a `src/index.ts`, sorted. */
export function packageFolders(root: string): string[] {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => {
      try {
        readFileSync(join(root, 'packages', name, 'src/index.ts'));
        return true;
      } catch {
        return false;
      }
    })
    .sort();
}

/** Reads the public API of every package under `packages/` (one compiler program for all). */
export function readPackageApis(root: string): PackageApi[] {
  const folders = packageFolders(root);
  const entries = folders.map((folder) => join(root, 'packages', folder, 'src/index.ts'));
  const program = ts.createProgram(entries, compilerOptions(root));
  return folders.map((folder, i) => {
    const manifest = JSON.parse(
      readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'),
    ) as { name?: unknown; description?: unknown };
    return {
      folder,
      name: typeof manifest.name === 'string' ? manifest.name : `@edx-data/${folder}`,
      description: typeof manifest.description === 'string' ? manifest.description : '',
      exports: exportsOf(program, root, entries[i] ?? ''),
    };
  });
}

const GENERATED_NOTE =
  '<!-- Generated from src/index.ts by tools/test-support/src/api-docs.ts: do not edit. ' +
  'UPDATE_API_DOCS=1 npx vitest run --project @edx-data/test-support api-docs rewrites it. -->';

function anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/gu, '');
}

/**
 * `{@link Name}` (and `{@link Name text}`) of a doc comment as Markdown: a link to the
 * export's section when the package exports it, else the name as code.
 */
function linkNames(doc: string, exported: ReadonlySet<string>): string {
  return doc.replace(
    /\{@link(?:code|plain)?\s+([^}\s|]+)(?:[\s|]+([^}]*))?\}/gu,
    (_, target: string, text?: string) => {
      const name = target.split('.')[0] ?? target;
      const label = text !== undefined && text.trim() !== '' ? text.trim() : target;
      return exported.has(name) ? `[\`${label}\`](#${anchor(name)})` : `\`${label}\``;
    },
  );
}

/** `docs/api/<folder>.md`: every export of one package, by kind, with its signature and doc. */
export function renderPackageApi(api: PackageApi): string {
  const exported = new Set(api.exports.map((e) => e.name));
  const lines: string[] = [GENERATED_NOTE, '', `# ${api.name}`, ''];
  if (api.description !== '') lines.push(api.description, '');
  lines.push(
    `Entry point: [\`packages/${api.folder}/src/index.ts\`](../../packages/${api.folder}/src/index.ts).`,
    `Guide and examples: [\`packages/${api.folder}/README.md\`](../../packages/${api.folder}/README.md).`,
    '',
  );
  for (const kind of API_KINDS) {
    const ofKind = api.exports.filter((e) => e.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(
      `- ${SECTION_TITLES[kind]}: ${ofKind.map((e) => `[\`${e.name}\`](#${anchor(e.name)})`).join(', ')}`,
    );
  }
  lines.push('');
  for (const kind of API_KINDS) {
    const ofKind = api.exports.filter((e) => e.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(`## ${SECTION_TITLES[kind]}`, '');
    for (const e of ofKind) {
      const where = e.external
        ? `re-exported from \`${e.source}\``
        : `[\`${e.source.replace(`packages/${api.folder}/`, '')}\`](../../${e.source})`;
      lines.push(`### ${e.name}`, '', `${kind} · ${where}`, '', '```ts', e.signature, '```', '');
      if (e.doc !== '') lines.push(linkNames(e.doc, exported), '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `docs/api/README.md`: the packages, what each exports, and links to their pages. */
export function renderApiIndex(apis: readonly PackageApi[]): string {
  const lines = [
    GENERATED_NOTE,
    '',
    '# API reference',
    '',
    "Every export of every published package, read from the package's `src/index.ts`: its kind,",
    'its signature (bodies and initialisers left out) and its doc comment. The README of each',
    'package has the guide and a runnable example; [reuse-one-parser.md](../reuse-one-parser.md)',
    'shows one library used alone.',
    '',
    '| package | exports | what it does |',
    '| --- | --- | --- |',
  ];
  for (const api of apis) {
    const counts = API_KINDS.map((kind) => {
      const n = api.exports.filter((e) => e.kind === kind).length;
      if (n === 0) return undefined;
      if (n === 1) return `1 ${kind}`;
      return `${n} ${kind === 'class' ? 'classes' : `${kind}s`}`;
    }).filter((c): c is string => c !== undefined);
    lines.push(
      `| [\`${api.name}\`](${api.folder}.md) | ${counts.join(', ')} | ${api.description.replace(/\|/gu, '\\|')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Every file of `docs/api/`: its name (relative to that folder) and its content. */
export function renderApiDocs(root: string): Map<string, string> {
  const apis = readPackageApis(root);
  const files = new Map<string, string>([['README.md', renderApiIndex(apis)]]);
  for (const api of apis) files.set(`${api.folder}.md`, renderPackageApi(api));
  return files;
}
