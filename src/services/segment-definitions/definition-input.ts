import type { z } from 'zod';
import { AppError } from '../../contracts/errors.ts';
import type { RuleIssue, SegmentRule } from '../../contracts/segments.ts';
import { BUILT_IN_SCHEME_NAMES } from '../../db/queries/program-schemes.ts';
import { validateRule } from '../../domain/segments/validate-rule.ts';

// Checks shared by the definition use-cases. Every problem names its JSON path in the request
// body (`rule.all[2].value`, `loyalty.vipMinClvPercentile`), and all of them are reported at once.

/** A JSON path from zod's path segments: `rule.all[2]`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** zod issues as path + message; an unknown key gets its own path. */
export function zodIssues(error: z.ZodError): RuleIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: jsonPath([...issue.path, key]), message: 'is not a known setting' }))
      : [{ path: jsonPath(issue.path), message: issue.message }],
  );
}

/** INVALID_INPUT with every issue in `details.issues`; the message names the first. */
export function invalidInput(what: string, issues: readonly RuleIssue[]): AppError {
  const first = issues[0];
  const where = first ? ` at ${first.path === '' ? '(root)' : first.path}: ${first.message}` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new AppError('INVALID_INPUT', `${what} is invalid${where}${more}`, { issues });
}

/** Parses a body with a contract, or throws INVALID_INPUT naming each bad field. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(what, zodIssues(parsed.error));
  return parsed.data;
}

/** The rule, checked by validateRule with paths under `rule`; normalised on success. */
export function checkRule(input: unknown): SegmentRule {
  const result = validateRule(input);
  if (result.ok) return result.rule;
  throw invalidInput(
    'the segment rule',
    result.issues.map((issue) => ({
      path:
        issue.path === '' ? 'rule' : issue.path.startsWith('[') ? `rule${issue.path}` : `rule.${issue.path}`,
      message: issue.message,
    })),
  );
}

/** Throws INVALID_INPUT when a custom segment would take a built-in scheme's name. */
export function requireCustomScheme(scheme: string): void {
  if ((BUILT_IN_SCHEME_NAMES as readonly string[]).includes(scheme)) {
    throw invalidInput('the segment', [
      {
        path: 'scheme',
        message: `"${scheme}" is a built-in scheme (${BUILT_IN_SCHEME_NAMES.join(', ')}); change its thresholds with "segments thresholds set", or choose another scheme name`,
      },
    ]);
  }
}
