import { describe, expect, it } from 'vitest';
import { readCampaignDefinition } from './read-definition.ts';

const yaml = `# A win-back for At-Risk Loyals
name: winback-june
goal: reactivate
audience:
  segments: [loyalty/at_risk_loyals]
  filter: { feature: declared.interest, op: contains, value: coffee }
  exclude: [lifecycle/churned]
offer: { kind: discount_percent, value: 20, unitCost: "3.10", code: BACK20 }
channels: [email, sms]
schedule: { kind: local_time, date: 2024-06-05, time: "09:00" }
variants:
  - name: a
    weight: 2
    messages:
      email:
        subject: "We miss you, {{ member.first_name }}"
        body: |
          {{ offer.value }}% off your next {{ last.category }}.
        defaults: { member.first_name: friend, last.category: order }
      sms: { body: "{{ offer.value }}% off: {{ offer.code }}" }
  - name: b
    messages:
      email: { subject: "20% off", body: "Come back: {{ offer.code }}" }
      sms: { body: "Code {{ offer.code }}" }
`;

describe('reading a campaign definition', () => {
  it('reads YAML, filling defaults (10% holdout, marketing purpose) and segment references', () => {
    const result = readCampaignDefinition(yaml);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.definition).toMatchObject({
      name: 'winback-june',
      holdout: 0.1,
      purpose: 'marketing',
      audience: {
        match: 'any',
        segments: [{ scheme: 'loyalty', segment: 'at_risk_loyals' }],
        exclude: [{ scheme: 'lifecycle', segment: 'churned' }],
      },
      offer: { unitCost: '3.1000' },
      schedule: { kind: 'local_time', date: '2024-06-05', time: '09:00' },
    });
    expect(result.definition.variants.map((v) => [v.name, v.weight])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('reads the same definition written as JSON', () => {
    const fromYaml = readCampaignDefinition(yaml);
    if (!fromYaml.ok) throw new Error('yaml failed');
    const fromJson = readCampaignDefinition(JSON.stringify(fromYaml.definition, null, 2));
    expect(fromJson).toEqual(fromYaml);
  });

  it('names the path, line and column of a value the schema refuses', () => {
    const result = readCampaignDefinition(yaml.replace('goal: reactivate', 'goal: world_domination'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toMatchObject({ path: 'goal', line: 3, column: 7 });
  });

  it('points a missing message at the variant that lacks it', () => {
    const result = readCampaignDefinition(yaml.replace('      sms: { body: "Code {{ offer.code }}" }\n', ''));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]).toMatchObject({ path: 'variants[1].messages.sms', line: 23 });
      expect(result.issues[0]?.message).toContain('must have a sms message');
    }
  });

  it('reports YAML that does not parse with its line and column', () => {
    const result = readCampaignDefinition('name: x\ngoal: [unclosed\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('refuses a weekly schedule on a day that is no weekday, and a duplicate variant name', () => {
    const result = readCampaignDefinition(
      yaml
        .replace(
          '{ kind: local_time, date: 2024-06-05, time: "09:00" }',
          '{ kind: recurring, every: week, day: 8, time: "09:00" }',
        )
        .replace('  - name: b', '  - name: a'),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['schedule.day', 'variants[1].name']);
  });
});
