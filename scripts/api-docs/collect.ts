/**
 * Reads what app developers compile against — the ambient globals of globals/ambient.d.ts and
 * the modules `@comind/api` (globals/api.ts) and `@comind/api/server` (globals/server.ts) — with
 * the TypeScript 7 compiler's API, into a plain model that render.ts turns into markdown.
 *
 * Why not TypeDoc: TypeDoc 0.28 supports TypeScript 5.0–6.0 only, and TypeScript 7 (the native
 * compiler this project uses) has no in-process compiler API; it offers `typescript/unstable/sync`,
 * which talks to the native compiler. "unstable" is why test/docs/api-reference.test.ts
 * regenerates the reference on every run: a change in that API shows as a failing test, not as a
 * silently wrong page.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  API,
  type Checker,
  type Project,
  SignatureKind,
  SymbolFlags,
  type Type,
} from "typescript/unstable/sync";
import type { Symbol as TsSymbol } from "typescript/unstable/sync";
import {
  isIdentifier,
  isInterfaceDeclaration,
  isModuleBlock,
  isModuleDeclaration,
  isTypeAliasDeclaration,
  isVariableStatement,
} from "typescript/unstable/ast/is";

/** One member of a global or a module value: its signatures (methods) or its type (properties). */
export interface Member {
  name: string;
  /** `name(a: string, b?: number): Result` per call signature, or `name: Type` / `name?: Type`. */
  lines: string[];
  doc: string;
  examples: string[];
}

export interface Entry {
  name: string;
  /** "value" has members (or just a type); "type" has its declaration text. */
  kind: "value" | "type" | "function";
  doc: string;
  examples: string[];
  /** For values: the type as one line; for types and functions: the declaration / signatures. */
  code: string;
  members: Member[];
  /** globals/<file>.ts the entry is declared in, for "source" links. */
  source: string;
}

export interface ApiModel {
  globals: Entry[];
  ambientTypes: Entry[];
  modules: { name: string; file: string; doc: string; entries: Entry[] }[];
}

const TYPE_FLAGS = 1 /* NoTruncation */ | 16384; /* UseAliasDefinedOutsideCurrentScope */

/** The text of a `/** ... *\/` block without its stars, and its @example blocks apart. */
export function parseDocComment(raw: string): { doc: string; examples: string[] } {
  const body = raw
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""));
  const doc: string[] = [];
  const examples: string[] = [];
  let example: string[] | null = null;
  for (const line of body) {
    const tag = /^@(\w+)\s?(.*)$/.exec(line.trim());
    if (tag) {
      if (example) examples.push(dedent(example));
      example = tag[1] === "example" ? (tag[2] ? [tag[2]] : []) : null;
    } else if (example) example.push(line);
    else doc.push(line);
  }
  if (example) examples.push(dedent(example));
  return { doc: doc.join("\n").trim(), examples: examples.filter((text) => text !== "") };
}

function dedent(lines: string[]): string {
  const indents = lines.filter((line) => line.trim()).map((line) => /^\s*/.exec(line)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((line) => line.slice(cut))
    .join("\n")
    .trim();
}

/** The first `/** *\/` comment of a file (its purpose comment), if the file starts with one. */
function fileComment(path: string): { doc: string; examples: string[] } {
  const text = readFileSync(path, "utf8");
  const match = /^\s*(\/\*\*[\s\S]*?\*\/)/.exec(text);
  return match ? parseDocComment(match[1]) : { doc: "", examples: [] };
}

class Collector {
  private readonly project: Project;
  private readonly checker: Checker;
  private readonly root: string;

  constructor(project: Project, checker: Checker, root: string) {
    this.project = project;
    this.checker = checker;
    this.root = root;
  }

  private typeText(type: Type | undefined, owner?: { type: Type; name: string }): string {
    if (!type) return "unknown";
    if (owner && type.id === owner.type.id) return `typeof ${owner.name}`;
    return this.checker.typeToString(type, undefined, TYPE_FLAGS);
  }

  private docOf(symbol: TsSymbol): { doc: string; examples: string[] } {
    const doc = this.checker.getDocumentationCommentOfSymbol(symbol).trim();
    const examples = this.checker
      .getJsDocTagsOfSymbol(symbol)
      .filter((tag) => tag.name === "example" && tag.text)
      .map((tag) => dedent((tag.text ?? "").split("\n")));
    return { doc, examples };
  }

  private signatureLines(name: string, type: Type, owner?: { type: Type; name: string }): string[] {
    return this.checker.getSignaturesOfType(type, SignatureKind.Call).map((signature) => {
      const typeParameters = signature.getTypeParameters().map((parameter) => {
        const constraint = this.checker.getConstraintOfTypeParameter(parameter);
        const base = this.checker.typeToString(parameter, undefined, TYPE_FLAGS);
        return constraint ? `${base} extends ${this.typeText(constraint)}` : base;
      });
      const parameters = signature.getParameters().map((parameter) => {
        const node = parameter.valueDeclaration?.resolve(this.project) as
          | { questionToken?: unknown; initializer?: unknown; dotDotDotToken?: unknown }
          | undefined;
        const optional = node?.questionToken || node?.initializer ? "?" : "";
        const rest = node?.dotDotDotToken ? "..." : "";
        const type = this.typeText(this.checker.getTypeOfSymbol(parameter));
        return `${rest}${parameter.name}${optional}: ${optional ? type.replace(/ \| undefined$/, "") : type}`;
      });
      const generics = typeParameters.length ? `<${typeParameters.join(", ")}>` : "";
      const result = this.typeText(this.checker.getReturnTypeOfSignature(signature), owner);
      return `${name}${generics}(${parameters.join(", ")}): ${result}`;
    });
  }

  private members(type: Type, owner: { type: Type; name: string }): Member[] {
    if (this.checker.isArrayType(type)) return [];
    return this.checker.getPropertiesOfType(type).map((property) => {
      const propertyType = this.checker.getTypeOfSymbol(property);
      const signatures = propertyType ? this.signatureLines(property.name, propertyType, owner) : [];
      const isMethod = signatures.length > 0 && this.checker.getPropertiesOfType(propertyType!).length === 0;
      const optional = property.flags & SymbolFlags.Optional ? "?" : "";
      const lines = isMethod
        ? signatures
        : [`${property.name}${optional}: ${this.typeText(propertyType, owner)}`];
      return { name: property.name, lines, ...this.docOf(property) };
    });
  }

  private sourceOf(symbol: TsSymbol): string {
    const declaration = symbol.valueDeclaration ?? symbol.declarations[0];
    return declaration ? relative(this.root, declaration.path) : "";
  }

  private declarationText(symbol: TsSymbol): string {
    const handle = symbol.declarations[0];
    const node = handle?.resolve(this.project);
    return node ? node.getText().trim() : symbol.name;
  }

  /** A value: its members, documented by its own comment or else by its file's purpose comment. */
  value(name: string, symbol: TsSymbol): Entry {
    const type = this.checker.getTypeOfSymbol(symbol)!;
    const target = this.valueTarget(symbol, type);
    let docs = this.docOf(symbol);
    if (!docs.doc && target) docs = this.docOf(target);
    const source = target ? this.sourceOf(target) : this.sourceOf(symbol);
    const typeSymbol = type.getSymbol();
    if (!docs.doc && typeSymbol && this.sourceOf(typeSymbol).startsWith("globals/"))
      docs = this.docOf(typeSymbol);
    if (!docs.doc && target && source !== "globals/ambient.d.ts") docs = fileComment(join(this.root, source));
    const owner = { type, name };
    const members = this.members(type, owner);
    if (this.checker.getSignaturesOfType(type, SignatureKind.Call).length && !members.length)
      return {
        name,
        kind: "function",
        ...docs,
        code: this.signatureLines(name, type).join("\n"),
        members,
        source,
      };
    return { name, kind: "value", ...docs, code: `${name}: ${this.typeText(type)}`, members, source };
  }

  /** Where `const X: typeof Y` really lives: Y's declaration (for the doc comment and the source link). */
  private valueTarget(symbol: TsSymbol, type: Type): TsSymbol | undefined {
    const typeSymbol = type.getSymbol();
    if (!typeSymbol?.declarations.length) return undefined;
    const source = this.sourceOf(typeSymbol);
    // Only our own declarations: a global typed as an Array is documented by its own comment.
    return source.startsWith("globals/") && source !== this.sourceOf(symbol) ? typeSymbol : undefined;
  }

  type(name: string, symbol: TsSymbol): Entry {
    return {
      name,
      kind: "type",
      ...this.docOf(symbol),
      code: this.declarationText(symbol),
      members: [],
      source: this.sourceOf(symbol),
    };
  }

  entry(symbol: TsSymbol): Entry {
    const target = symbol.flags & SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    return target.flags & SymbolFlags.Value
      ? this.value(symbol.name, target)
      : this.type(symbol.name, target);
  }
}

/** The ambient globals, in the order ambient.d.ts declares them. */
function ambientNames(project: Project, file: string): { values: string[]; types: string[] } {
  const source = project.program.getSourceFile(file);
  const values: string[] = [];
  const types: string[] = [];
  for (const statement of source?.statements ?? []) {
    if (!isModuleDeclaration(statement) || !statement.body || !isModuleBlock(statement.body)) continue;
    for (const inner of statement.body.statements) {
      if (isVariableStatement(inner)) {
        for (const declaration of inner.declarationList.declarations)
          if (isIdentifier(declaration.name)) values.push(declaration.name.text);
      } else if (isTypeAliasDeclaration(inner) || isInterfaceDeclaration(inner)) types.push(inner.name.text);
    }
  }
  return { values, types };
}

export function collectApi(root: string): ApiModel {
  const api = new API({ cwd: root });
  try {
    const snapshot = api.updateSnapshot({ openProjects: [join(root, "globals", "tsconfig.json")] });
    const project = snapshot.getProjects()[0];
    const { checker } = project;
    const collector = new Collector(project, checker, root);
    const ambient = join(root, "globals", "ambient.d.ts");
    const names = ambientNames(project, ambient);
    const at = { document: ambient, position: 0 };
    const resolve = (name: string, meaning: SymbolFlags) => {
      const symbol = checker.resolveName(name, meaning, at, false);
      if (!symbol) throw new Error(`api-docs: ${name} is declared in ambient.d.ts but does not resolve`);
      return symbol;
    };
    // Interfaces that only type a global (Console, Crypto) are shown on the global's page.
    const typedByGlobal = new Set(["Console", "Crypto"]);
    const globals = names.values.map((name) => collector.value(name, resolve(name, SymbolFlags.Value)));
    const ambientTypes = names.types
      .filter((name) => !typedByGlobal.has(name))
      .map((name) => collector.type(name, resolve(name, SymbolFlags.Type)));
    const modules = [
      { name: "@comind/api", file: "globals/api.ts" },
      { name: "@comind/api/server", file: "globals/server.ts" },
    ].map(({ name, file }) => {
      const source = project.program.getSourceFile(join(root, file));
      const moduleSymbol = source && checker.getSymbolAtLocation(source);
      if (!moduleSymbol) throw new Error(`api-docs: cannot read the module ${file}`);
      const entries = checker.getExportsOfModule(moduleSymbol).map((symbol) => collector.entry(symbol));
      return { name, file, doc: fileComment(join(root, file)).doc, entries };
    });
    return { globals, ambientTypes, modules };
  } finally {
    api.close();
  }
}
