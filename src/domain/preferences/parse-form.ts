import {
  answerField,
  FORM_FIELDS,
  type FormFields,
  type FormProblem,
  MULTI_VALUED_SECTIONS,
  type PreferenceCentreConfig,
  type SectionName,
} from '../../contracts/preferences.ts';
import { type Channel, Channel as ChannelSchema } from '../../contracts/records.ts';
import { CalendarDate } from '../../contracts/scalars.ts';
import type { ResolvedQuiz } from './quizzes.ts';
import { enabledSections } from './reward-items.ts';

// The preference form as the browser posts it (application/x-www-form-urlencoded), checked against
// the program's options. Nothing the member types is free text: every value must be one the page
// offered, and the birthday a real past date.

/** Most values one form may carry, and the longest value: enough for any real form, far below the body limit. */
export const MAX_FORM_VALUES = 400;
export const MAX_FORM_VALUE_LENGTH = 200;

/** What the member asked for. Parts of the page the form did not show are absent. */
export interface PreferenceForm {
  sections: Partial<Record<SectionName, string[]>>;
  /** Channels the member wants marketing on; absent when the form did not show consent. */
  consent?: Channel[];
  /** Answer value by declaration key; a question left unanswered is absent. */
  answers: Record<string, string>;
}

export type FormParse = { ok: true; form: PreferenceForm } | { ok: false; problems: FormProblem[] };

/** The birthday a member may declare: a real date, not before 1900 and not after `today`. */
export function checkBirthday(value: string, today: string): string | undefined {
  if (!CalendarDate.safeParse(value).success) return 'must be a real date, written YYYY-MM-DD';
  if (value < '1900-01-01' || value > today) return 'must be a date in the past';
  return undefined;
}

export function parsePreferenceForm(
  fields: FormFields,
  config: PreferenceCentreConfig,
  quizzes: readonly ResolvedQuiz[],
  now: Date,
): FormParse {
  const problems: FormProblem[] = [];
  const total = Object.values(fields).reduce((n, list) => n + list.length, 0);
  if (total > MAX_FORM_VALUES)
    return { ok: false, problems: [{ field: 'form', message: 'has too many fields' }] };
  for (const [name, list] of Object.entries(fields)) {
    if (list.some((v) => v.length > MAX_FORM_VALUE_LENGTH))
      problems.push({ field: name, message: `must be at most ${MAX_FORM_VALUE_LENGTH} characters` });
  }
  if (problems.length > 0) return { ok: false, problems };

  const shown = new Set(fields[FORM_FIELDS.shown] ?? []);
  const form: PreferenceForm = { sections: {}, answers: {} };
  for (const section of enabledSections(config)) {
    if (!shown.has(section)) continue;
    const posted = [...new Set(fields[section] ?? [])];
    const allowed =
      section === 'birthday'
        ? undefined
        : section === 'channels'
          ? config.channels.channels
          : config[section].options.map((o) => o.value);
    if (section === 'birthday') {
      const value = posted[0]?.trim() ?? '';
      const problem = value === '' ? undefined : checkBirthday(value, now.toISOString().slice(0, 10));
      if (posted.length > 1) problems.push({ field: section, message: 'must be one date' });
      else if (problem) problems.push({ field: section, message: problem });
      else form.sections.birthday = value === '' ? [] : [value];
      continue;
    }
    const unknown = posted.find((v) => !allowed?.includes(v));
    if (unknown !== undefined)
      problems.push({ field: section, message: `"${unknown}" is not one of the choices` });
    else if (!MULTI_VALUED_SECTIONS.includes(section) && posted.length > 1)
      problems.push({ field: section, message: 'takes one choice' });
    else form.sections[section] = posted.sort();
  }

  if (config.channels.enabled && shown.has(FORM_FIELDS.consent)) {
    const posted = [...new Set(fields[FORM_FIELDS.consent] ?? [])];
    const bad = posted.find(
      (v) => !ChannelSchema.safeParse(v).success || !config.channels.channels.includes(v as Channel),
    );
    if (bad !== undefined)
      problems.push({ field: FORM_FIELDS.consent, message: `"${bad}" is not one of the channels` });
    else form.consent = posted as Channel[];
  }

  for (const quiz of quizzes) {
    for (const question of quiz.questions) {
      const field = answerField(quiz.id, question.id);
      const posted = fields[field] ?? [];
      if (posted.length === 0) continue;
      const [value] = posted;
      if (posted.length > 1) problems.push({ field, message: 'takes one answer' });
      else if (!question.answers.some((a) => a.value === value))
        problems.push({ field, message: `"${value}" is not one of the answers` });
      else form.answers[question.key] = value as string;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, form };
}
