import { isNode, LineCounter, parseDocument } from 'yaml';
import { CampaignDefinition, type DefinitionIssue } from '../../contracts/campaigns.ts';

// A definition file is YAML or JSON (JSON is YAML, so one parser reads both). Every problem names
// its JSON path and, where the file has it, its line and column, so a marketer can go straight there.

/** Reads a campaign definition from YAML or JSON text; problems carry their path, line and column. */
export function readCampaignDefinition(
  text: string,
): { ok: true; definition: CampaignDefinition } | { ok: false; issues: DefinitionIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return {
          path: '',
          message: error.message.split('\n')[0] ?? error.message,
          line: at.line,
          column: at.col,
        };
      }),
    };
  }
  return parseDefinition(document.toJS({ maxAliasCount: 100 }), (path) => {
    const node = document.getIn(path, true);
    if (!isNode(node) || !node.range) return {};
    const at = lineCounter.linePos(node.range[0]);
    return { line: at.line, column: at.col };
  });
}

/** Checks an already-parsed value (an HTTP body) against the schema; issues carry their JSON path. */
export function parseDefinition(
  value: unknown,
  locate: (path: PropertyKey[]) => { line?: number; column?: number } = () => ({}),
): { ok: true; definition: CampaignDefinition } | { ok: false; issues: DefinitionIssue[] } {
  const parsed = CampaignDefinition.safeParse(value);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: jsonPath(issue.path),
      message: issue.message,
      ...nearest(issue.path, locate),
    })),
  };
}

/** The position of the path, or of its nearest ancestor the file has (a missing key's object). */
function nearest(
  path: PropertyKey[],
  locate: (path: PropertyKey[]) => { line?: number; column?: number },
): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const found = locate(path.slice(0, n));
    if (found.line !== undefined) return found;
  }
  return {};
}

/** ["variants", 0, "messages", "email"] -> "variants[0].messages.email". */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
