import { describe, expect, it } from 'vitest';
import type { CampaignDefinition, MessageTemplate } from '../../contracts/campaigns.ts';
import { sampleDefinition, samplePolicy } from './campaign-fixtures.ts';
import { compileCampaign, renderMessage } from './compile-campaign.ts';
import { createSandbox } from './liquid-sandbox.ts';
import type { CampaignMember } from './message-tokens.ts';

const engine = createSandbox();
const policy = samplePolicy();

/** A definition whose one email variant has the given body (and subject). */
function withEmail(body: string, extra: Partial<MessageTemplate> = {}): CampaignDefinition {
  return sampleDefinition({
    channels: ['email'],
    variants: [{ name: 'a', messages: { email: { subject: 'Hello', body, ...extra } } }],
  });
}

function issuesOf(definition: CampaignDefinition) {
  const result = compileCampaign(engine, definition, policy);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.issues;
}

function renderBody(definition: CampaignDefinition, member: CampaignMember): string {
  const compiled = compileCampaign(engine, definition, policy);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  const message = compiled.campaign.messages.get('a')?.get('email');
  if (!message) throw new Error('no email message');
  const rendered = renderMessage(engine, message, member, definition, policy.rewardThresholds);
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.message.body;
}

const ada: CampaignMember = {
  id: 'M1',
  timezone: 'Europe/London',
  tier: 'gold',
  region: null,
  locale: 'en-GB',
  attributes: { first_name: 'Ada' },
  features: { points_balance: 420, 'declared.interest': ['coffee', 'tea'] },
  lastProduct: 'Ethiopia Yirgacheffe',
  lastCategory: 'coffee',
};

const nobody: CampaignMember = {
  ...ada,
  attributes: {},
  features: {},
  lastProduct: null,
  lastCategory: null,
};

describe('compiling message templates', () => {
  it('accepts the sample campaign', () => {
    expect(compileCampaign(engine, sampleDefinition(), policy).ok).toBe(true);
  });

  it('reports a syntax error with its line and column', () => {
    const [issue] = issuesOf(withEmail('Hello\n  {% if %}yes{% endif %}'));
    expect(issue).toMatchObject({ path: 'variants[0].messages.email.body', line: 2, column: 8 });
    expect(issue?.message).not.toMatch(/line:/);
  });

  it('reports an unknown filter at definition time with its line and column', () => {
    const [issue] = issuesOf(withEmail('Hi\n\n{{ member.first_name | shout }}'));
    expect(issue).toMatchObject({ line: 3, column: 1 });
    expect(issue?.message).toContain('undefined filter: shout');
  });

  it('reports a template that renders too long as a definition error', () => {
    const loop = '{% for a in (1..2000) %}{% for b in (1..2000) %}{% endfor %}{% endfor %}';
    const [issue] = issuesOf(withEmail(`line one\n${loop}`));
    expect(issue?.path).toBe('variants[0].messages.email.body');
    expect(issue?.message).toMatch(/limit/);
    expect(issue?.line).toBe(2);
  });

  it('refuses include, render and layout: a template cannot read files', () => {
    for (const tag of [
      '{% include "/etc/passwd" %}',
      "{% render '../../package.json' %}",
      '{% layout "base" %}',
    ]) {
      const [issue] = issuesOf(withEmail(`x\n${tag}`));
      expect(issue?.message).toMatch(/not allowed: a message template cannot read other files/);
      expect(issue).toMatchObject({ line: 2, column: 1 });
    }
  });

  it('cannot read environment variables or reach outside its values', () => {
    const secret = 'narrowcast-test-secret-value';
    process.env.NARROWCAST_TEMPLATE_PROBE = secret;
    try {
      const issues = issuesOf(withEmail('{{ process.env.NARROWCAST_TEMPLATE_PROBE }}{{ env.home }}'));
      expect(issues.map((i) => i.message)).toEqual([
        expect.stringContaining('token "process.env.NARROWCAST_TEMPLATE_PROBE" is not a value'),
        expect.stringContaining('has no namespace "env"'),
      ]);
      // Tokens that pass the check still only see own properties of the values handed in.
      const body = renderBody(
        withEmail('[{{ member.constructor }}][{{ member.__proto__ }}][{{ features.points_balance }}]'),
        ada,
      );
      expect(body).toBe('[][][420]');
      expect(body).not.toContain(secret);
    } finally {
      delete process.env.NARROWCAST_TEMPLATE_PROBE;
    }
  });

  it('refuses tokens it does not know and features outside the catalogue', () => {
    const issues = issuesOf(withEmail('{{ points.balence }} {{ features.shoe_size }}'));
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining('token "points.balence" is unknown'),
      expect.stringContaining('token "features.shoe_size" names no feature'),
    ]);
    expect(issues[1]).toMatchObject({ line: 1, column: 25 });
  });

  it('refuses a token that reads a declared value marked sensitive', () => {
    const [issue] = issuesOf(withEmail('Because you told us: {{ declared.health }}'));
    expect(issue?.message).toContain('marked sensitive');
  });

  it('refuses an audience filter built on a declared value marked sensitive', () => {
    const definition = sampleDefinition({
      audience: {
        segments: ['loyalty/vips'],
        filter: { feature: 'declared.religion', op: 'contains', value: 'x' },
      },
    });
    const [issue] = issuesOf(definition);
    expect(issue).toMatchObject({ path: 'audience.filter' });
    expect(issue?.message).toContain('marked sensitive');
  });

  it('refuses a segment whose rule selects on a sensitive value, when the segment is known', () => {
    const result = compileCampaign(engine, sampleDefinition(), policy, (ref) =>
      ref.segment === 'points_savers' ? ['points_balance', 'declared_at.health'] : undefined,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('audience.segments[0]');
  });

  it('refuses a segment the program does not have, naming its place, and accepts any declared interest', () => {
    const known = (ref: { scheme: string; segment: string }) =>
      ref.scheme === 'loyalty' && ref.segment === 'points_savers' ? ['points_balance'] : undefined;
    const definition = sampleDefinition({
      audience: { segments: ['loyalty/points_savers', 'loyalty/points_saver', 'declared/interest:coffee'] },
    });
    const result = compileCampaign(engine, definition, policy, known);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toHaveLength(1);
      expect(result.issues[0]).toMatchObject({ path: 'audience.segments[1]' });
      expect(result.issues[0]?.message).toContain('loyalty/points_saver does not exist');
    }
    const fine = sampleDefinition({
      audience: { segments: ['loyalty/points_savers', 'declared/interest:tea'] },
    });
    expect(compileCampaign(engine, fine, policy, known).ok).toBe(true);
  });

  it('reports a bad audience filter at its path', () => {
    const [issue] = issuesOf(
      sampleDefinition({ audience: { segments: ['a/b'], filter: { feature: 'nope', op: 'gt', value: 1 } } }),
    );
    expect(issue?.path).toMatch(/^audience\.filter/);
  });
});

describe('rendering a message', () => {
  it('fills member fields, features, points to the next reward, declared values and the offer', () => {
    const body = renderBody(
      withEmail(
        '{{ member.first_name }}|{{ member.tier }}|{{ points.balance }}|{{ points.to_next_reward }}|{{ declared.interest }}|{{ last.category }}|{{ offer.code }}',
      ),
      ada,
    );
    expect(body).toBe('Ada|gold|420|80|coffee, tea|coffee|SAVE200');
  });

  it('prints a missing token as its default, else the template fallback, never "undefined"', () => {
    const definition = withEmail(
      'Hi {{ member.first_name }}, {{ points.balance }} pts, {{ last.product }}.',
      {
        defaults: { 'member.first_name': 'there' },
        fallback: 'something',
      },
    );
    expect(renderBody(definition, nobody)).toBe('Hi there, something pts, something.');
    expect(renderBody(definition, ada)).toBe('Hi Ada, 420 pts, Ethiopia Yirgacheffe.');
  });

  it('prints a missing token without default or fallback as nothing', () => {
    const body = renderBody(
      withEmail('[{{ member.first_name }}][{{ points.to_next_reward | plus: 0 }}]'),
      nobody,
    );
    expect(body).toBe('[][0]');
    expect(body).not.toContain('undefined');
  });

  it('uses the default inside filters and conditions too', () => {
    const definition = withEmail('{{ member.first_name | upcase }}', {
      defaults: { 'member.first_name': 'friend' },
    });
    expect(renderBody(definition, nobody)).toBe('FRIEND');
  });
});
