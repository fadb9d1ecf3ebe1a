import type { Liquid } from 'liquidjs';
import type {
  CampaignDefinition,
  DefinitionIssue,
  GovernancePolicy,
  MessageTemplate,
  SegmentRef,
} from '../../contracts/campaigns.ts';
import type { Channel } from '../../contracts/records.ts';
import { ruleLeaves } from '../segments/rule-features.ts';
import { validateRule } from '../segments/validate-rule.ts';
import { type CompiledTemplate, compileTemplate, renderCompiled } from './liquid-sandbox.ts';
import { type CampaignMember, tokenProblem, tokenScope, withDefaults } from './message-tokens.ts';
import { sensitiveFeatureKey } from './sensitive-guard.ts';

/** One message of one variant on one channel, compiled. */
export interface CompiledMessage {
  subject: CompiledTemplate | undefined;
  body: CompiledTemplate;
  source: MessageTemplate;
}

/** A definition whose templates compiled: messages by variant name and channel. */
export interface CompiledCampaign {
  definition: CampaignDefinition;
  messages: Map<string, Map<Channel, CompiledMessage>>;
}

/**
 * The features a program segment's rule reads (so the sensitive guard can see through segments),
 * or undefined when the program has no such segment. Without a lookup, references are not checked.
 */
export type SegmentFeatures = (ref: SegmentRef) => readonly string[] | undefined;

/** Trial renders a template gets at definition time before a time-bound failure counts. */
const TRIAL_RENDERS = 3;

/** A member with no data at all: every token is missing, so a template's defaults are exercised. */
const EMPTY_MEMBER: CampaignMember = {
  id: 'preview',
  timezone: null,
  tier: null,
  region: null,
  locale: null,
  attributes: {},
  features: {},
  lastProduct: null,
  lastCategory: null,
};

/**
 * Checks everything about a definition that its schema cannot, before it is stored: the audience
 * filter is a valid rule, nothing selects or personalises on a sensitive declared value, and every
 * template compiles in the sandbox (syntax, unknown filters, refused tags), reads only known tokens,
 * and renders within the time and memory bounds. Template issues carry line and column.
 */
export function compileCampaign(
  engine: Liquid,
  definition: CampaignDefinition,
  policy: Pick<GovernancePolicy, 'sensitiveDeclarationKeys' | 'rewardThresholds'>,
  segmentFeatures?: SegmentFeatures,
): { ok: true; campaign: CompiledCampaign } | { ok: false; issues: DefinitionIssue[] } {
  const issues: DefinitionIssue[] = [];
  const sensitive = new Set(policy.sensitiveDeclarationKeys);
  checkAudience(definition, sensitive, segmentFeatures, issues);

  const messages = new Map<string, Map<Channel, CompiledMessage>>();
  definition.variants.forEach((variant, v) => {
    const byChannel = new Map<Channel, CompiledMessage>();
    for (const channel of definition.channels) {
      const source = variant.messages[channel];
      if (source === undefined) continue; // the schema has already said so
      const at = `variants[${v}].messages.${channel}`;
      const body = compilePart(engine, source.body, `${at}.body`, sensitive, issues);
      const subject =
        source.subject === undefined
          ? undefined
          : compilePart(engine, source.subject, `${at}.subject`, sensitive, issues);
      for (const path of Object.keys(source.defaults)) {
        const problem = tokenProblem(path, sensitive);
        if (problem) issues.push({ path: `${at}.defaults.${path}`, message: problem });
      }
      if (body === undefined || (source.subject !== undefined && subject === undefined)) continue;
      const message: CompiledMessage = { subject, body, source };
      // The time bound is wall-clock: a template is refused only if it runs past it on every try.
      let trial = renderMessage(engine, message, EMPTY_MEMBER, definition, policy.rewardThresholds);
      for (
        let retry = 1;
        retry < TRIAL_RENDERS && !trial.ok && /limit exceeded/.test(trial.error.message);
        retry++
      ) {
        trial = renderMessage(engine, message, EMPTY_MEMBER, definition, policy.rewardThresholds);
      }
      if (!trial.ok) {
        issues.push({
          path: `${at}.${trial.part}`,
          message: trial.error.message,
          ...position(trial.error),
        });
        continue;
      }
      byChannel.set(channel, message);
    }
    messages.set(variant.name, byChannel);
  });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, campaign: { definition, messages } };
}

function compilePart(
  engine: Liquid,
  source: string,
  path: string,
  sensitive: ReadonlySet<string>,
  issues: DefinitionIssue[],
): CompiledTemplate | undefined {
  const result = compileTemplate(engine, source);
  if (!result.ok) {
    issues.push({ path, message: result.error.message, ...position(result.error) });
    return undefined;
  }
  let clean = true;
  for (const token of result.compiled.tokens) {
    const problem = tokenProblem(token, sensitive);
    if (problem) {
      issues.push({ path, message: problem, ...tokenPosition(source, token) });
      clean = false;
    }
  }
  return clean ? result.compiled : undefined;
}

function checkAudience(
  definition: CampaignDefinition,
  sensitive: ReadonlySet<string>,
  segmentFeatures: SegmentFeatures | undefined,
  issues: DefinitionIssue[],
): void {
  const { filter } = definition.audience;
  if (filter !== undefined) {
    const checked = validateRule(filter);
    if (!checked.ok) {
      for (const issue of checked.issues) {
        issues.push({
          path: issue.path ? `audience.filter.${issue.path}` : 'audience.filter',
          message: issue.message,
        });
      }
    } else {
      for (const leaf of ruleLeaves(checked.rule)) {
        const key = sensitiveFeatureKey(leaf.feature, sensitive);
        if (key !== undefined) {
          issues.push({
            path: 'audience.filter',
            message: `selects on "${leaf.feature}", a declared value marked sensitive ("${key}"): audiences may not be built on it`,
          });
        }
      }
    }
  }
  const refs = [
    ...definition.audience.segments.map((ref, i) => ({ ref, path: `audience.segments[${i}]` })),
    ...(definition.schedule.kind === 'on_entry'
      ? [{ ref: definition.schedule.segment, path: 'schedule.segment' }]
      : []),
  ];
  if (segmentFeatures === undefined) return;
  for (const { ref, path } of refs) {
    const features = segmentFeatures(ref);
    // Declared-interest segments exist per interest a member declares, so any name is accepted.
    if (features === undefined && !(ref.scheme === 'declared' && ref.segment.startsWith('interest:'))) {
      issues.push({
        path,
        message: `segment ${ref.scheme}/${ref.segment} does not exist in this program; \`narrowcast segments list\` shows its segments`,
      });
      continue;
    }
    for (const feature of features ?? []) {
      const key = sensitiveFeatureKey(feature, sensitive);
      if (key !== undefined) {
        issues.push({
          path,
          message: `segment ${ref.scheme}/${ref.segment} selects on "${feature}", a declared value marked sensitive ("${key}")`,
        });
      }
    }
  }
}

/** A rendered message; `subject` only where the template has one. */
export interface RenderedMessage {
  subject?: string;
  body: string;
}

/** Renders one compiled message for one member; a failure names the part that failed. */
export function renderMessage(
  engine: Liquid,
  message: CompiledMessage,
  member: CampaignMember,
  definition: Pick<CampaignDefinition, 'offer' | 'name' | 'label'>,
  rewardThresholds: readonly number[],
):
  | { ok: true; message: RenderedMessage }
  | { ok: false; part: 'subject' | 'body'; error: { message: string; line?: number; column?: number } } {
  const scope = tokenScope(member, definition.offer, definition, rewardThresholds);
  const { defaults, fallback } = message.source;
  const rendered: RenderedMessage = { body: '' };
  if (message.subject !== undefined) {
    const subject = renderCompiled(
      engine,
      message.subject,
      withDefaults(scope, message.subject.tokens, defaults, fallback),
    );
    if (!subject.ok) return { ok: false, part: 'subject', error: subject.error };
    rendered.subject = subject.text;
  }
  const body = renderCompiled(
    engine,
    message.body,
    withDefaults(scope, message.body.tokens, defaults, fallback),
  );
  if (!body.ok) return { ok: false, part: 'body', error: body.error };
  rendered.body = body.text;
  return { ok: true, message: rendered };
}

function position(error: { line?: number; column?: number }): { line?: number; column?: number } {
  return {
    ...(error.line === undefined ? {} : { line: error.line }),
    ...(error.column === undefined ? {} : { column: error.column }),
  };
}

/** Line and column of the first place a template mentions a token (its namespace then name). */
function tokenPosition(source: string, token: string): { line?: number; column?: number } {
  const [namespace = '', key = ''] = token.split('.', 2);
  const pattern = new RegExp(
    `\\b${namespace}\\s*(?:\\.\\s*${escapeRegExp(key)}|\\[\\s*['"]${escapeRegExp(key)}['"]\\s*\\])`,
  );
  const match = pattern.exec(source);
  const index = match?.index ?? source.indexOf(namespace);
  if (index < 0) return {};
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
