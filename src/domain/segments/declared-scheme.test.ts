import { describe, expect, it } from 'vitest';
import { answerSegments, resolveQuiz } from '../preferences/quizzes.ts';
import { assignSchemes } from './assign-schemes.ts';
import { resolveThresholds } from './built-in-defaults.ts';
import { declaredScheme, interestSlug } from './built-in-schemes.ts';
import { daysAgo, inSegment, member, PROGRAM, scheme } from './scheme-fixtures.ts';

const declared = scheme('declared', {}, ['skincare', "Men's Footwear"]);

describe('the declared scheme', () => {
  it('makes Eco-Allies of members who declared sustainability within two years', () => {
    const pledged = {
      'declared.value': ['local_charities', 'sustainability'],
      'declared_at.value': daysAgo(729),
    };
    expect(inSegment(declared, 'eco_allies', member(pledged))).toBe(true);
    expect(inSegment(declared, 'eco_allies', member({ ...pledged, 'declared_at.value': daysAgo(730) }))).toBe(
      false,
    );
    expect(
      inSegment(declared, 'eco_allies', member({ ...pledged, 'declared.value': ['local_charities'] })),
    ).toBe(false);
  });

  it('places quiz answers in Routine Seekers and Flavor Innovators', () => {
    const quiz = (answer: string) =>
      member({ 'declared.quiz.coffee_style': [answer], 'declared_at.quiz.coffee_style': daysAgo(3) });
    expect(inSegment(declared, 'routine_seekers', quiz('same_favourite_every_time'))).toBe(true);
    expect(inSegment(declared, 'flavor_innovators', quiz('same_favourite_every_time'))).toBe(false);
    expect(inSegment(declared, 'flavor_innovators', quiz('always_trying_new_flavours'))).toBe(true);
  });

  it('has one segment per product interest', () => {
    expect(declared.segments.map((s) => s.name)).toEqual([
      'eco_allies',
      'routine_seekers',
      'flavor_innovators',
      'interest:skincare',
      'interest:men_s_footwear',
    ]);
    expect(interestSlug('  ')).toBe('other');
  });

  it('lets a member sit in several declared segments at once, each explained', () => {
    const features = member({
      'declared.value': ['sustainability'],
      'declared_at.value': daysAgo(1),
      'declared.interest': ['skincare'],
      'declared_at.interest': daysAgo(0),
    });
    const [a] = assignSchemes(features, PROGRAM, [declared]);
    expect(a?.memberships.map((m) => m.explanation)).toEqual([
      `Eco-Allies: declared value includes sustainability and value last confirmed ${daysAgo(1).slice(0, 10)} 09:00 UTC is 1 day ago, within the last 730 days`,
      `Interest: skincare: declared interest includes skincare and interest last confirmed ${daysAgo(0).slice(0, 10)} 09:00 UTC is on the as-of day, within the last 730 days`,
    ]);
  });

  it('follows overridden selectors', () => {
    const custom = scheme('declared', { declared: { ecoAllies: { key: 'pledge', values: ['green'] } } });
    const pledged = member({ 'declared.pledge': ['green'], 'declared_at.pledge': daysAgo(5) });
    expect(inSegment(custom, 'eco_allies', pledged)).toBe(true);
  });

  describe('with the segments quiz answers lead to', () => {
    const pledge = resolveQuiz({
      id: 'pledge',
      kind: 'challenge',
      title: 'Pledge',
      points: 0,
      questions: [
        {
          id: 'pledge',
          text: 'Will you?',
          answers: [{ value: 'pledged', label: 'I will', segment: 'Eco-Allies' }],
        },
      ],
    });
    const owls = resolveQuiz({
      id: 'hours',
      kind: 'poll',
      title: 'When do you shop?',
      points: 0,
      questions: [
        {
          id: 'when',
          text: 'When?',
          answers: [
            { value: 'late', label: 'After midnight', segment: 'Night Owls' },
            { value: 'early', label: 'Before breakfast', segment: 'Early Birds' },
            { value: 'noon', label: 'At lunch' },
          ],
        },
      ],
    });
    const withAnswers = declaredScheme(resolveThresholds().declared, [], answerSegments([pledge, owls]));

    it('widens a seed segment of the same name: the pledge makes an Eco-Ally as sustainability does', () => {
      const pledged = member({
        'declared.challenge.pledge': ['pledged'],
        'declared_at.challenge.pledge': daysAgo(3),
      });
      expect(inSegment(withAnswers, 'eco_allies', pledged)).toBe(true);
      expect(inSegment(declared, 'eco_allies', pledged)).toBe(false);
      const valued = member({ 'declared.value': ['sustainability'], 'declared_at.value': daysAgo(3) });
      expect(inSegment(withAnswers, 'eco_allies', valued)).toBe(true);
    });

    it('adds a segment for each other answer label, and keeps it to fresh answers', () => {
      expect(withAnswers.segments.map((s) => s.name)).toEqual([
        'eco_allies',
        'routine_seekers',
        'flavor_innovators',
        'night_owls',
        'early_birds',
      ]);
      const answered = (value: string, days: number) =>
        member({ 'declared.poll.hours': [value], 'declared_at.poll.hours': daysAgo(days) });
      expect(inSegment(withAnswers, 'night_owls', answered('late', 10))).toBe(true);
      expect(inSegment(withAnswers, 'early_birds', answered('late', 10))).toBe(false);
      expect(inSegment(withAnswers, 'night_owls', answered('noon', 10))).toBe(false);
      expect(inSegment(withAnswers, 'night_owls', answered('late', 730))).toBe(false);
    });
  });
});
