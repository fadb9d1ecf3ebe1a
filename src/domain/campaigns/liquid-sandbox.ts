import { type FS, Liquid, LiquidError, Tag, type TagToken, type Template } from 'liquidjs';
import { renderTokenParts, type TokenPart, tokenParts } from './token-template.ts';

// Marketers' Liquid templates run in a sandbox: no file system (include, render and layout are
// refused when the template is compiled, and the engine's file access is a stub that reads
// nothing), only the values a send hands in (no globals, so no environment), own properties only
// (no reaching through prototypes), unknown filters refused at compile time, and bounded parse
// size, render time and memory.

/** Longest a single render may take, in milliseconds, before it fails. */
export const RENDER_TIME_LIMIT_MS = 100;
/** Most memory (liquidjs's own accounting, roughly characters) a single render may allocate. */
export const RENDER_MEMORY_LIMIT = 1_000_000;
/** Largest template the parser accepts, in characters. */
export const PARSE_LIMIT = 100_000;

/** Tags that read other templates from storage; a message template stands alone. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

const noFiles = (): never => {
  throw new Error('templates cannot read files');
};

/** A file system that has no files, so nothing can be read even if a path were reached. */
const NO_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => noFiles(),
  readFileSync: noFiles,
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
};

class RefusedTag extends Tag {
  constructor(token: TagToken, remainTokens: never[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`the "${token.name}" tag is not allowed: a message template cannot read other files`);
  }
  *render(): Generator<never, void, unknown> {}
}

/** A sandboxed Liquid engine: one per process is enough, it holds no per-template state. */
export function createSandbox(): Liquid {
  const engine = new Liquid({
    fs: NO_FS,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    globals: {},
    cache: false,
    renderLimit: RENDER_TIME_LIMIT_MS,
    memoryLimit: RENDER_MEMORY_LIMIT,
    parseLimit: PARSE_LIMIT,
  });
  for (const name of FILE_TAGS) engine.registerTag(name, RefusedTag as never);
  return engine;
}

/** Where and why a template failed: 1-based line and column inside the template. */
export interface TemplateError {
  message: string;
  line?: number;
  column?: number;
}

/** A Liquid failure as a message with its position; the engine's ", line:1, col:2" suffix is dropped. */
export function templateError(error: unknown): TemplateError {
  if (error instanceof LiquidError) {
    const position = error.token?.getPosition?.() as [number, number] | undefined;
    const message = (error.message.split(/, line:\d+, col:\d+/)[0] ?? error.message).trim();
    const [line, column] = position ?? [];
    if (line !== undefined && column !== undefined) return { message, line, column };
    return { message };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** A compiled template and the token paths it reads (outside loop and assign locals). */
export interface CompiledTemplate {
  template: Template[];
  tokens: string[];
  /** For a template of only text and plain token outputs: its parts, rendered without Liquid. */
  parts?: TokenPart[] | undefined;
}

/** Parses a template; a syntax error, an unknown filter or a refused tag comes back with its place. */
export function compileTemplate(
  engine: Liquid,
  source: string,
): { ok: true; compiled: CompiledTemplate } | { ok: false; error: TemplateError } {
  try {
    const template = engine.parse(source);
    const tokens = engine.globalFullVariablesSync(template);
    return { ok: true, compiled: { template, tokens: [...new Set(tokens)], parts: tokenParts(template) } };
  } catch (error) {
    return { ok: false, error: templateError(error) };
  }
}

/** Renders with the given scope; fails (with position) past the time or memory bound. */
export function renderCompiled(
  engine: Liquid,
  compiled: CompiledTemplate,
  scope: Record<string, unknown>,
): { ok: true; text: string } | { ok: false; error: TemplateError } {
  if (compiled.parts !== undefined) {
    const text = renderTokenParts(compiled.parts, scope);
    if (text !== undefined) return { ok: true, text };
  }
  try {
    return { ok: true, text: String(engine.renderSync(compiled.template, scope)) };
  } catch (error) {
    return { ok: false, error: templateError(error) };
  }
}
