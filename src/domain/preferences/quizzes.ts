import { type Quiz, type QuizDefinition, SECTION_KEYS } from '../../contracts/preferences.ts';
import type { SegmentDefinition, SegmentRule } from '../../contracts/segments.ts';
import { DECLARED_PREFIX } from '../features/feature-catalog.ts';
import type { AnswerSegment } from '../segments/built-in-schemes.ts';
import { CLEARED_SUFFIX } from './member-preferences.ts';

/** A quiz as the page and the submission need it: its questions with their declaration keys. */
export type ResolvedQuiz = Pick<Quiz, 'id' | 'kind' | 'title' | 'points' | 'questions'> & {
  description?: string | undefined;
};

/** The declaration key of each question: given, or `<kind>.<quiz>` for one question, `<kind>.<quiz>.<question>` for more. */
export function resolveQuiz(definition: QuizDefinition): ResolvedQuiz {
  const single = definition.questions.length === 1;
  return {
    id: definition.id,
    kind: definition.kind,
    title: definition.title,
    description: definition.description,
    points: definition.points,
    questions: definition.questions.map((q) => ({
      id: q.id,
      text: q.text,
      key:
        q.key ??
        (single ? `${definition.kind}.${definition.id}` : `${definition.kind}.${definition.id}.${q.id}`),
      answers: q.answers,
    })),
  };
}

/**
 * Why a quiz's keys cannot be used, or undefined: a key must not be one the preference centre's own
 * sections write (or their clearing marker), nor a key another active quiz already stores answers under.
 */
export function keyClash(quiz: ResolvedQuiz, others: readonly ResolvedQuiz[]): string | undefined {
  const reserved = new Set(Object.values(SECTION_KEYS).flatMap((key) => [key, `${key}${CLEARED_SUFFIX}`]));
  const seen = new Map<string, string>();
  for (const other of others) {
    if (other.id === quiz.id) continue;
    for (const q of other.questions) seen.set(q.key, other.id);
  }
  const own = new Set<string>();
  for (const q of quiz.questions) {
    if (reserved.has(q.key) || q.key.endsWith(CLEARED_SUFFIX))
      return `question "${q.id}" uses the key "${q.key}", which the preference centre's own sections write`;
    const owner = seen.get(q.key);
    if (owner !== undefined)
      return `question "${q.id}" uses the key "${q.key}", which quiz "${owner}" already uses`;
    if (own.has(q.key)) return `two questions use the key "${q.key}"`;
    own.add(q.key);
  }
  return undefined;
}

/** "Eco-Allies" -> "eco_allies": a segment name from the label a marketer gave an answer. */
export function segmentName(label: string): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(slug) ? slug : `s_${slug}`.replace(/_+$/, '');
}

/** The declared segments the answers of these quizzes lead to, each with the answers that lead there. */
export function answerSegments(quizzes: readonly ResolvedQuiz[]): AnswerSegment[] {
  const bySegment = new Map<string, { label: string; leaves: Map<string, string[]> }>();
  for (const quiz of quizzes) {
    for (const question of quiz.questions) {
      for (const answer of question.answers) {
        if (answer.segment === undefined) continue;
        const name = segmentName(answer.segment);
        const entry = bySegment.get(name) ?? { label: answer.segment, leaves: new Map() };
        entry.leaves.set(question.key, [...(entry.leaves.get(question.key) ?? []), answer.value]);
        bySegment.set(name, entry);
      }
    }
  }
  return [...bySegment].map(([name, { label, leaves }]) => ({
    name,
    label,
    selectors: [...leaves].map(([key, values]) => ({ key, values })),
  }));
}

/**
 * The declared segments the answers of these quizzes lead to, as segment definitions over the
 * `declared.<key>` features: a member is in "Eco-Allies" while they hold an answer that leads there.
 * The segment engine evaluates them in the built-in `declared` scheme, with the scheme's freshness
 * (`declared_at.<key>` within `maxAgeDays`) added to each answer.
 */
export function quizDeclaredSegments(quizzes: readonly ResolvedQuiz[]): SegmentDefinition[] {
  return answerSegments(quizzes).map(({ name, label, selectors }) => {
    const rules: SegmentRule[] = selectors.map(({ key, values }) => ({
      feature: `${DECLARED_PREFIX}${key}`,
      op: 'in',
      value: values,
    }));
    return { name, label, rule: rules.length === 1 ? (rules[0] as SegmentRule) : { any: rules } };
  });
}
