import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCE_CONFIG } from './default-config.ts';
import { type DeclarationFact, declaredValue, isStale, memberPreferences } from './member-preferences.ts';
import { parsePreferenceForm } from './parse-form.ts';
import { planSubmission, planUnsubscribeAll, type SubmissionContext } from './plan-submission.ts';
import { quizDeclaredSegments, resolveQuiz, segmentName } from './quizzes.ts';
import { awardEventId } from './reward-items.ts';

const now = new Date('2024-06-01T12:00:00Z');
const pledge = resolveQuiz({
  id: 'pledge',
  kind: 'challenge',
  title: 'Take our sustainability pledge',
  points: 100,
  questions: [
    {
      id: 'pledge',
      text: 'Will you?',
      answers: [{ value: 'pledged', label: 'I pledge', segment: 'Eco-Allies' }],
    },
  ],
});
const coffee = resolveQuiz({
  id: 'coffee_style',
  kind: 'quiz',
  title: 'Find your routine',
  points: 50,
  questions: [
    {
      id: 'style',
      text: 'How do you choose?',
      answers: [
        { value: 'same_favourite_every_time', label: 'Same favourite', segment: 'Routine Seekers' },
        { value: 'always_trying_new_flavours', label: 'Something new', segment: 'Flavor Innovators' },
      ],
    },
  ],
});

function context(over: Partial<SubmissionContext> = {}): SubmissionContext {
  return {
    programConfig: DEFAULT_PREFERENCE_CONFIG,
    quizzes: [pledge, coffee],
    memberId: 'M1',
    nonce: 'N',
    now,
    declarations: [],
    consents: [],
    awarded: new Set(),
    ...over,
  };
}

const fact = (
  key: string,
  value: string,
  occurredAt: string,
  id = `${key}-${value}-${occurredAt}`,
): DeclarationFact => ({
  id,
  key,
  value,
  occurredAt,
});

describe('reading declarations back', () => {
  it('accumulates values of a multi-valued key declared at different times, confirmed at the latest', () => {
    const facts = [
      fact('interest', 'coffee', '2024-01-01T00:00:00.000Z'),
      fact('interest', 'tea', '2024-01-01T00:00:00.000Z'),
      fact('interest', 'snacks', '2024-03-01T00:00:00.000Z'),
    ];
    expect(declaredValue(facts, 'interest', true)).toEqual({
      values: ['coffee', 'snacks', 'tea'],
      confirmedAt: '2024-03-01T00:00:00.000Z',
    });
  });

  it('withdraws the values declared before a clearing marker and keeps those declared with it', () => {
    const facts = [
      fact('interest', 'coffee', '2024-01-01T00:00:00.000Z'),
      fact('interest', 'tea', '2024-01-01T00:00:00.000Z'),
      fact('interest.cleared', 'true', '2024-02-01T00:00:00.000Z'),
      fact('interest', 'tea', '2024-02-01T00:00:00.000Z'),
    ];
    expect(declaredValue(facts, 'interest', true)).toEqual({
      values: ['tea'],
      confirmedAt: '2024-02-01T00:00:00.000Z',
    });
    expect(declaredValue(facts.slice(0, 3), 'interest', true)).toEqual({
      values: [],
      confirmedAt: '2024-02-01T00:00:00.000Z',
    });
  });

  it('reads a single-valued key as its latest declaration, unless withdrawn after it', () => {
    const facts = [
      fact('frequency_pref', 'weekly_digest', '2024-01-01T00:00:00.000Z'),
      fact('frequency_pref', 'big_sales_only', '2024-02-01T00:00:00.000Z'),
    ];
    expect(declaredValue(facts, 'frequency_pref', false)).toEqual({
      values: ['big_sales_only'],
      confirmedAt: '2024-02-01T00:00:00.000Z',
    });
    const cleared = [...facts, fact('frequency_pref.cleared', 'true', '2024-03-01T00:00:00.000Z')];
    expect(declaredValue(cleared, 'frequency_pref', false).values).toEqual([]);
  });

  it('calls a held value stale only past the threshold', () => {
    const value = { values: ['coffee'], confirmedAt: '2023-06-01T12:00:00.000Z' };
    expect(isStale(value, now, 366)).toBe(false);
    expect(isStale(value, now, 365)).toBe(true);
    expect(isStale({ values: [], confirmedAt: '2000-01-01T00:00:00.000Z' }, now, 1)).toBe(false);
  });
});

describe('planning a submit', () => {
  const parse = (fields: Record<string, string[]>) => {
    const parsed = parsePreferenceForm(fields, DEFAULT_PREFERENCE_CONFIG, [pledge, coffee], now);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return parsed.form;
  };

  it('declares each chosen value, records consent changes and pays each completed item once', () => {
    const form = parse({
      shown: ['interests', 'channels', 'consent', 'birthday'],
      interests: ['tea', 'coffee'],
      channels: ['email'],
      consent: ['email', 'sms'],
      birthday: ['1990-05-03'],
      'q.pledge.pledge': ['pledged'],
    });
    const plan = planSubmission(
      context({
        consents: [
          {
            id: 'c0',
            channel: 'sms',
            purpose: 'marketing',
            status: 'granted',
            occurredAt: '2024-01-01T00:00:00.000Z',
          },
        ],
      }),
      form,
    );
    expect(plan.declarations.map((d) => [d.key, d.value, d.source])).toEqual([
      ['interest', 'coffee', 'preference_centre'],
      ['interest', 'tea', 'preference_centre'],
      ['channel_pref', 'email', 'preference_centre'],
      ['birthday', '1990-05-03', 'preference_centre'],
      ['challenge.pledge', 'pledged', 'challenge:pledge'],
    ]);
    expect(
      plan.declarations.every((d) => d.occurredAt === now.toISOString() && d.id.startsWith('pcd:N:')),
    ).toBe(true);
    // sms was already granted: only email changes.
    expect(plan.consents.map((c) => [c.channel, c.status, c.source])).toEqual([
      ['email', 'granted', 'preference_centre'],
    ]);
    expect(plan.points.map((p) => [p.id, p.points, p.reason])).toEqual([
      ['pc:M1:interests', 20, 'profile'],
      ['pc:M1:channels', 20, 'profile'],
      ['pc:M1:birthday', 50, 'profile'],
      ['pc:M1:challenge:pledge', 100, 'challenge'],
    ]);
  });

  it('writes nothing for a form that changes nothing fresh, and pays nothing already paid', () => {
    const held = [fact('interest', 'coffee', '2024-05-01T00:00:00.000Z')];
    const plan = planSubmission(
      context({ declarations: held, awarded: new Set(['interests']) }),
      parse({ shown: ['interests'], interests: ['coffee'] }),
    );
    expect(plan).toEqual({ declarations: [], consents: [], points: [] });
  });

  it('re-declares a stale section the member saved unchanged, refreshing its confirmation', () => {
    const held = [fact('interest', 'coffee', '2022-01-01T00:00:00.000Z')];
    const plan = planSubmission(
      context({ declarations: held, awarded: new Set(['interests']) }),
      parse({ shown: ['interests'], interests: ['coffee'] }),
    );
    expect(plan.declarations.map((d) => [d.key, d.value])).toEqual([['interest', 'coffee']]);
  });

  it('clears a section with a marker, and revokes consent the member unticks', () => {
    const plan = planSubmission(
      context({
        declarations: [fact('interest', 'coffee', '2024-05-01T00:00:00.000Z')],
        consents: [
          {
            id: 'c1',
            channel: 'email',
            purpose: 'marketing',
            status: 'granted',
            occurredAt: '2024-01-01T00:00:00.000Z',
          },
        ],
      }),
      parse({ shown: ['interests', 'consent'] }),
    );
    expect(plan.declarations.map((d) => [d.key, d.value])).toEqual([['interest.cleared', 'true']]);
    expect(plan.consents.map((c) => [c.channel, c.status])).toEqual([['email', 'revoked']]);
  });

  it('pays the full-profile bonus once every section is complete', () => {
    const plan = planSubmission(
      context(),
      parse({
        shown: ['interests', 'frequency', 'channels', 'values', 'rewards', 'birthday'],
        interests: ['coffee'],
        frequency: ['weekly_digest'],
        channels: ['sms'],
        values: ['sustainability', 'fair_trade'],
        rewards: ['experiential'],
        birthday: ['2000-02-29'],
      }),
    );
    expect(plan.points.map((p) => p.id)).toContain('pc:M1:profile');
    expect(plan.points.reduce((sum, p) => sum + p.points, 0)).toBe(20 * 5 + 50 + 250);
  });

  it('unsubscribes from marketing on every channel not already revoked', () => {
    const plan = planUnsubscribeAll(
      context({
        consents: [
          {
            id: 'c1',
            channel: 'push',
            purpose: 'marketing',
            status: 'revoked',
            occurredAt: '2024-01-01T00:00:00.000Z',
          },
        ],
      }),
    );
    expect(plan.consents.map((c) => [c.channel, c.purpose, c.status])).toEqual([
      ['email', 'marketing', 'revoked'],
      ['sms', 'marketing', 'revoked'],
      ['in_app', 'marketing', 'revoked'],
    ]);
  });
});

describe('the posted form', () => {
  const parse = (fields: Record<string, string[]>) =>
    parsePreferenceForm(fields, DEFAULT_PREFERENCE_CONFIG, [pledge, coffee], now);

  it('refuses values the page did not offer, two answers to one question, and dates that are not past', () => {
    const result = parse({
      shown: ['interests', 'frequency', 'birthday', 'consent'],
      interests: ['coffee', '<script>'],
      frequency: ['weekly_digest', 'only_big_sales'],
      birthday: ['2030-01-01'],
      consent: ['fax'],
      'q.pledge.pledge': ['pledged', 'pledged2'],
    });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([
      'interests',
      'frequency',
      'birthday',
      'consent',
      'q.pledge.pledge',
    ]);
    expect(parse({ shown: ['birthday'], birthday: ['2023-02-29'] }).ok).toBe(false);
  });

  it('refuses an over-long value and a flood of fields before looking at them', () => {
    expect(parse({ interests: ['x'.repeat(201)] }).ok).toBe(false);
    expect(parse({ interests: Array.from({ length: 401 }, () => 'coffee') }).ok).toBe(false);
  });

  it('applies only the parts of the page the form showed', () => {
    const result = parse({ shown: ['frequency'], frequency: ['weekly_digest'], interests: ['coffee'] });
    expect(result).toEqual({ ok: true, form: { sections: { frequency: ['weekly_digest'] }, answers: {} } });
  });
});

describe('quizzes', () => {
  it('store one-question answers under <kind>.<id>, the keys the built-in declared scheme reads', () => {
    expect(coffee.questions[0]?.key).toBe('quiz.coffee_style');
    expect(pledge.questions[0]?.key).toBe('challenge.pledge');
  });

  it('turn the segment each answer leads to into a declared segment definition', () => {
    expect(segmentName('Eco-Allies')).toBe('eco_allies');
    expect(quizDeclaredSegments([pledge, coffee])).toEqual([
      {
        name: 'eco_allies',
        label: 'Eco-Allies',
        rule: { feature: 'declared.challenge.pledge', op: 'in', value: ['pledged'] },
      },
      {
        name: 'routine_seekers',
        label: 'Routine Seekers',
        rule: { feature: 'declared.quiz.coffee_style', op: 'in', value: ['same_favourite_every_time'] },
      },
      {
        name: 'flavor_innovators',
        label: 'Flavor Innovators',
        rule: { feature: 'declared.quiz.coffee_style', op: 'in', value: ['always_trying_new_flavours'] },
      },
    ]);
  });

  it('keep the award id within the id limit for a very long member id', () => {
    expect(awardEventId('M1', 'birthday')).toBe('pc:M1:birthday');
    const long = awardEventId('m'.repeat(128), 'quiz:coffee_style');
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toBe(awardEventId('m'.repeat(128), 'quiz:coffee_style'));
  });

  it('read the member preferences of every section', () => {
    expect(Object.keys(memberPreferences([], [], []).sections)).toEqual([
      'interests',
      'frequency',
      'channels',
      'values',
      'rewards',
      'birthday',
    ]);
  });
});
