import { z } from 'zod';
import { Channel } from './records.ts';
import { integer, Key, text } from './scalars.ts';
import { SegmentDefinition } from './segments.ts';

// The member preference centre (DESIGN.md §6): what a program offers on the page, the quizzes,
// polls and challenges its marketers define, and the signed link that opens a member's page.

/** Largest number of points one item of the preference centre may award. */
export const MAX_ITEM_POINTS = 100_000;

/** A value a member can pick: a slug stored in the declaration, and the text the page shows. */
export const PreferenceOption = z.strictObject({
  value: z
    .string()
    .min(1)
    .max(48)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a lower-case slug (a-z, 0-9, _ -)'),
  label: text(100).min(1),
});
export type PreferenceOption = z.infer<typeof PreferenceOption>;

const Points = integer(0, MAX_ITEM_POINTS);

const options = (min: number) =>
  z
    .array(PreferenceOption)
    .min(min)
    .max(30)
    .refine((list) => new Set(list.map((o) => o.value)).size === list.length, 'must not repeat a value');

/** A section where the member ticks or picks from the program's options. */
export const ChoiceSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** The question as the page asks it. */
  label: text(120).min(1),
  options: options(1),
  /** Points for completing the section, once per member. */
  points: Points.default(0),
});
export type ChoiceSection = z.infer<typeof ChoiceSection>;

/** The choice sections, each stored under a fixed declaration key (see SECTION_KEYS). */
export const ChoiceSectionName = z.enum(['interests', 'frequency', 'values', 'rewards']);
export type ChoiceSectionName = z.infer<typeof ChoiceSectionName>;

/** Everything a program configures about its preference centre. */
export const PreferenceCentreConfig = z.strictObject({
  /** The page's heading. */
  title: text(100).min(1).default('Your preferences'),
  /** Days a member link stays valid when the caller does not say. */
  linkTtlDays: integer(1, 365).default(30),
  /** A declared value not confirmed for this many days is stale: the page asks to re-confirm it. */
  staleAfterDays: integer(1, 3650).default(365),
  interests: ChoiceSection,
  frequency: ChoiceSection,
  values: ChoiceSection,
  rewards: ChoiceSection,
  /** Preferred channel (a declaration) and marketing consent per channel (the consent ledger). */
  channels: z.strictObject({
    enabled: z.boolean().default(true),
    channels: z
      .array(Channel)
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a channel'),
    points: Points.default(0),
  }),
  birthday: z.strictObject({ enabled: z.boolean().default(true), points: Points.default(0) }),
  /** Points once every enabled section is complete, on top of the sections' own points. */
  profileCompletePoints: Points.default(0),
});
export type PreferenceCentreConfig = z.infer<typeof PreferenceCentreConfig>;

/** The sections of the page that hold declarations, in page order. */
export const SECTION_NAMES = ['interests', 'frequency', 'channels', 'values', 'rewards', 'birthday'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** The declaration key each section's values are stored under (the keys the segment engine reads). */
export const SECTION_KEYS: Record<SectionName, string> = {
  interests: 'interest',
  frequency: 'frequency_pref',
  channels: 'channel_pref',
  values: 'value',
  rewards: 'reward_pref',
  birthday: 'birthday',
};

/** Sections where the member may pick several values. */
export const MULTI_VALUED_SECTIONS: readonly SectionName[] = ['interests', 'values'];

export const QuizKind = z.enum(['quiz', 'poll', 'challenge']);
export type QuizKind = z.infer<typeof QuizKind>;

/** A quiz or question id: a short lower-case slug (short enough for the keys built from it). */
export const QuizSlug = z
  .string()
  .min(1)
  .max(24)
  .regex(/^[a-z][a-z0-9_]*$/, 'must start with a lower-case letter and use only a-z, 0-9, _');

export const QuizAnswer = z.strictObject({
  value: PreferenceOption.shape.value,
  label: text(200).min(1),
  /** The declared segment this answer leads to, as a marketer names it ("Eco-Allies"). */
  segment: text(100).min(1).optional(),
});
export type QuizAnswer = z.infer<typeof QuizAnswer>;

export const QuizQuestion = z.strictObject({
  id: QuizSlug,
  text: text(300).min(1),
  /** The declaration key the answer is stored under; default `<kind>.<quiz id>[.<question id>]`. */
  key: Key.optional(),
  answers: z
    .array(QuizAnswer)
    .min(1)
    .max(20)
    .refine((list) => new Set(list.map((a) => a.value)).size === list.length, 'must not repeat a value'),
});
export type QuizQuestion = z.infer<typeof QuizQuestion>;

/** A quiz, poll or challenge as the marketer defines it (API body, CLI file). */
export const QuizDefinition = z
  .strictObject({
    id: QuizSlug,
    kind: QuizKind,
    title: text(120).min(1),
    description: text(500).optional(),
    /** Points for answering every question, once per member. */
    points: Points.default(0),
    questions: z.array(QuizQuestion).min(1).max(20),
  })
  .superRefine((quiz, ctx) => {
    const ids = new Set<string>();
    for (const [i, q] of quiz.questions.entries()) {
      if (ids.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: 'repeats' });
      ids.add(q.id);
      if (quiz.kind !== 'challenge' && q.answers.length < 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'answers'],
          message: `a ${quiz.kind} question needs at least 2 answers (a challenge may have one)`,
        });
      }
    }
  });
export type QuizDefinition = z.infer<typeof QuizDefinition>;

/** A stored quiz, with its resolved declaration keys. */
export const Quiz = z.object({
  id: z.string(),
  kind: QuizKind,
  title: z.string(),
  description: z.string().optional(),
  points: z.number().int(),
  questions: z.array(
    z.object({
      id: z.string(),
      text: z.string(),
      key: z.string(),
      answers: z.array(QuizAnswer),
    }),
  ),
  /** The declared segments its answers lead to, as segment definitions over `declared.<key>`. */
  segments: z.array(SegmentDefinition),
  status: z.enum(['active', 'archived']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Quiz = z.infer<typeof Quiz>;

/** A signed, expiring link to one member's preference page. */
export const MemberLink = z.object({
  programId: z.string(),
  memberId: z.string(),
  /** The path on the server (`/preferences/<token>`); the token alone can travel in a campaign. */
  path: z.string(),
  url: z.string(),
  token: z.string(),
  expiresAt: z.string(),
});
export type MemberLink = z.infer<typeof MemberLink>;

/**
 * The field names of the preference form, shared by the page that renders it and the parser that
 * reads it: each section posts under its own name; `shown` names each part the form showed (only
 * those are applied, so an unticked box is told apart from a part the form did not have).
 */
export const FORM_FIELDS = { token: '_form', shown: 'shown', consent: 'consent' } as const;

/** The form field of a quiz question. */
export const answerField = (quizId: string, questionId: string) => `q.${quizId}.${questionId}`;

/** A quiz's declaration source and reward item: `<kind>:<id>`. */
export const quizSource = (quiz: { kind: QuizKind; id: string }) => `${quiz.kind}:${quiz.id}`;

/** Every value of every field of a posted form. */
export type FormFields = Readonly<Record<string, readonly string[]>>;

/** A problem with one posted field; `field` is the field's name. */
export interface FormProblem {
  field: string;
  message: string;
}
