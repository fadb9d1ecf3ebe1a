import type { CampaignDefinition, DefinitionIssue, GovernancePolicy } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import {
  type CompiledCampaign,
  compileCampaign,
  type SegmentFeatures,
} from '../../domain/campaigns/compile-campaign.ts';
import { parseDefinition, readCampaignDefinition } from '../../domain/campaigns/read-definition.ts';
import { templateEngine } from './campaign-store.ts';

/** A definition as it arrives: file text (YAML or JSON) or an already-parsed JSON body. */
export type DefinitionSource = { text: string } | { value: unknown };

/** Parses and compiles a definition, or throws INVALID_INPUT listing every issue with its place. */
export function compileOrRefuse(
  source: DefinitionSource,
  policy: GovernancePolicy,
  segmentFeatures?: SegmentFeatures,
): CompiledCampaign {
  const parsed = 'text' in source ? readCampaignDefinition(source.text) : parseDefinition(source.value);
  if (!parsed.ok) refuse(parsed.issues);
  const compiled = compileCampaign(templateEngine, parsed.definition, policy, segmentFeatures);
  if (!compiled.ok) refuse(compiled.issues);
  return compiled.campaign;
}

/** Re-checks a stored definition against the current policy (a key may have been marked sensitive since). */
export function recompileOrRefuse(
  definition: CampaignDefinition,
  policy: GovernancePolicy,
  segmentFeatures?: SegmentFeatures,
): CompiledCampaign {
  return compileOrRefuse({ value: definition }, policy, segmentFeatures);
}

function refuse(issues: DefinitionIssue[]): never {
  const first = issues[0];
  const where = first
    ? `${first.path || 'definition'}${first.line === undefined ? '' : ` (line ${first.line}, column ${first.column})`}`
    : 'definition';
  throw new AppError(
    'INVALID_INPUT',
    `the campaign definition has ${issues.length} problem(s); first at ${where}: ${first?.message ?? 'invalid'}`,
    { issues },
  );
}
