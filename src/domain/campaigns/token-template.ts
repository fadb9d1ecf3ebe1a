import { type Template, TokenKind } from 'liquidjs';

// Most message templates are text with plain `{{ namespace.key }}` outputs: no tags, no filters.
// Such a template is taken apart once, when it is compiled, into its text and its token paths, and
// a member's message is the text with the member's values put in, as Liquid itself would print
// them, without running the Liquid renderer (which costs tens of microseconds per part, a large
// share of a launch at a million members). Any other template renders through Liquid as before.

/** Text, or the [namespace, key] of an output, in template order. */
export type TokenPart = string | readonly [string, string];

/** Keys Liquid reads specially on an object (`size` counts its keys); such outputs go through Liquid. */
const SPECIAL_KEYS = new Set(['size', 'first', 'last']);

interface NodeShape {
  token?: { kind?: number };
  str?: unknown;
  value?: {
    filters?: unknown[];
    initial?: {
      postfix?: { kind?: number; variable?: unknown; props?: { kind?: number; content?: unknown }[] }[];
    };
  };
}

/** The template as text and token paths, or undefined when it holds anything else. */
export function tokenParts(template: readonly Template[]): TokenPart[] | undefined {
  const parts: TokenPart[] = [];
  for (const node of template as readonly NodeShape[]) {
    const kind = node.token?.kind;
    if (kind === TokenKind.HTML && typeof node.str === 'string') {
      parts.push(node.str);
      continue;
    }
    if (kind !== TokenKind.Output || node.value?.filters?.length !== 0) return undefined;
    const postfix = node.value.initial?.postfix;
    const access = postfix?.length === 1 ? postfix[0] : undefined;
    if (access?.kind !== TokenKind.PropertyAccess || access.variable !== undefined) return undefined;
    const [namespace, key, ...rest] = access.props ?? [];
    if (rest.length > 0 || namespace === undefined || key === undefined) return undefined;
    if (namespace.kind !== TokenKind.Word || key.kind !== TokenKind.Word) return undefined;
    if (typeof namespace.content !== 'string' || typeof key.content !== 'string') return undefined;
    if (SPECIAL_KEYS.has(key.content)) return undefined;
    parts.push([namespace.content, key.content]);
  }
  return parts;
}

/**
 * A value as Liquid prints it: nothing for null and undefined, arrays element by element; undefined
 * for an object or function, which only Liquid knows how to print (or fail on).
 */
function printed(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    let text = '';
    for (const element of value) {
      const part = printed(element);
      if (part === undefined) return undefined;
      text += part;
    }
    return text;
  }
  if (typeof value === 'object' || typeof value === 'function') return undefined;
  return String(value);
}

const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * The text of a token template for a scope of plain records (what `tokenScope` builds); undefined
 * when the scope holds anything Liquid would read differently (then render through Liquid).
 */
export function renderTokenParts(
  parts: readonly TokenPart[],
  scope: Readonly<Record<string, unknown>>,
): string | undefined {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    const [namespace, key] = part;
    const record = Object.hasOwn(scope, namespace) ? scope[namespace] : undefined;
    if (record === undefined) continue;
    if (!isPlainRecord(record)) return undefined;
    const value = printed(Object.hasOwn(record, key) ? record[key] : undefined);
    if (value === undefined) return undefined;
    text += value;
  }
  return text;
}
