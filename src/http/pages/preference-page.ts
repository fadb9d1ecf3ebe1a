import { html } from 'hono/html';
import {
  answerField,
  FORM_FIELDS,
  type FormFields,
  type FormProblem,
  MULTI_VALUED_SECTIONS,
  type PreferenceOption,
  quizSource,
  type SectionName,
} from '../../contracts/preferences.ts';
import type { Channel } from '../../contracts/records.ts';
import type { PreferencePageView } from '../../services/preference-centre/open-preference-page.ts';
import { type Html, pageLayout } from './page-layout.ts';

// The member's page: one form for everything they can tell us, and a separate one-click form to
// unsubscribe from all marketing, in the header so it is always there. Inputs come in reading
// order, so the keyboard's focus order is the page's order; every input has its own <label>.

/** Outcomes the page can report after a redirect (`?done=`). */
export const DONE_MESSAGES = {
  saved: { tone: 'success', text: 'Thank you. Your preferences are saved.' },
  'already-saved': {
    tone: 'success',
    text: 'That form had already been sent, so nothing was applied twice. These are your saved preferences.',
  },
  unsubscribed: {
    tone: 'success',
    text: 'You are unsubscribed from all marketing. We will still send messages about your account and orders.',
  },
} as const;
export type Done = keyof typeof DONE_MESSAGES;

const CHANNEL_LABELS: Record<Channel, string> = {
  email: 'Email',
  sms: 'Text message (SMS)',
  push: 'App notifications',
  in_app: 'Messages in the app',
};

/** The id an error links to for a posted field name. */
export const fieldAnchor = (field: string) =>
  field === 'birthday' ? 'birthday' : `field-${field.replace(/[^a-z0-9_-]/gi, '-')}`;

const dateText = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

export interface PreferencePageOptions {
  view: PreferencePageView;
  /** The member link's path, where both forms post. */
  path: string;
  done?: Done | undefined;
  problems?: readonly FormProblem[];
  /** What the member posted, shown again when the form had problems. */
  submitted?: FormFields | undefined;
}

export function preferencePage(options: PreferencePageOptions): Html {
  const { view, path } = options;
  return pageLayout({
    title: `${view.config.title} – ${view.programName}`,
    header: html`<header class="top">
<p class="brand">${view.programName}</p>
<form method="post" action="${path}/unsubscribe">
<input type="hidden" name="${FORM_FIELDS.token}" value="${view.unsubscribeToken}">
<button type="submit" class="secondary">Unsubscribe from all marketing</button>
</form>
</header>`,
    body: html`<h1>${view.config.title}</h1>
<p class="lead">Tell us what you want to hear about. You can change these at any time.</p>
${statusNotice(options)}
${rewardsNotice(view)}
${staleNotice(view)}
<form method="post" action="${path}" id="preferences">
<input type="hidden" name="${FORM_FIELDS.token}" value="${view.formToken}">
${view.sections.map((section) => sectionFieldset(options, section))}
${view.quizzes.length > 0 ? quizSection(options) : ''}
<p><button type="submit" class="primary">Save my preferences</button></p>
</form>`,
    footer: html`<footer><p>This page is personal to you: please do not share its link. The link works until ${dateText(view.expiresAt.toISOString())}.</p></footer>`,
  });
}

function statusNotice({ done, problems }: PreferencePageOptions): Html | string {
  if (problems && problems.length > 0) {
    return html`<div class="notice error" role="alert" aria-labelledby="problem-heading">
<h2 id="problem-heading">Your changes were not saved</h2>
<ul>${problems.map((p) => html`<li><a href="#${fieldAnchor(p.field)}">${problemText(p)}</a></li>`)}</ul>
</div>`;
  }
  if (!done) return '';
  const message = DONE_MESSAGES[done];
  return html`<div class="notice ${message.tone}" role="status"><p>${message.text}</p></div>`;
}

const FIELD_NAMES: Record<string, string> = {
  interests: 'Interests',
  frequency: 'How often',
  channels: 'Preferred channel',
  consent: 'Marketing consent',
  values: 'What matters to you',
  rewards: 'Favourite rewards',
  birthday: 'Birthday',
};

const problemText = (p: FormProblem) => `${FIELD_NAMES[p.field] ?? 'Answer'}: ${p.message}`;

function rewardsNotice(view: PreferencePageView): Html | string {
  if (view.rewards.length === 0) return '';
  const earned = view.rewards.filter((r) => r.earned).reduce((sum, r) => sum + r.points, 0);
  const total = view.rewards.reduce((sum, r) => sum + r.points, 0);
  return html`<section class="notice" aria-labelledby="rewards-heading">
<h2 id="rewards-heading">Earn points for telling us about you</h2>
<p>You have earned ${earned.toLocaleString('en')} of ${total.toLocaleString('en')} points.</p>
<ul class="rewards">${view.rewards.map(
    (r) =>
      html`<li><span>${capitalise(r.label)}</span><span>${r.earned ? `${r.points} points earned` : `${r.points} points to earn`}</span></li>`,
  )}</ul>
</section>`;
}

function staleNotice(view: PreferencePageView): Html | string {
  if (view.stale.sections.length === 0 && view.stale.answerKeys.length === 0) return '';
  return html`<div class="notice warning" role="status">
<p>Some of your answers are more than ${view.config.staleAfterDays} days old. Please check the ones marked “Please check” and save, even if nothing has changed.</p>
</div>`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function pointsBadge(view: PreferencePageView, item: string): Html | string {
  const reward = view.rewards.find((r) => r.item === item);
  if (!reward) return '';
  return reward.earned
    ? html`<span class="points earned">${reward.points} points earned</span>`
    : html`<span class="points">+${reward.points} points</span>`;
}

/** The values a section shows as chosen: what was just posted (when showing problems), else what is stored. */
function chosen(options: PreferencePageOptions, field: string, stored: readonly string[]): readonly string[] {
  return options.submitted ? (options.submitted[field] ?? []) : stored;
}

function fieldProblem(options: PreferencePageOptions, field: string): Html | string {
  const problem = options.problems?.find((p) => p.field === field);
  return problem ? html`<p class="field-error" id="${fieldAnchor(field)}-error">${problem.message}</p>` : '';
}

function staleHint(stale: boolean, confirmedAt: string | null): Html | string {
  if (!stale || confirmedAt === null) return '';
  return html`<p class="hint stale">Please check: you told us this on ${dateText(confirmedAt)}.</p>`;
}

function sectionFieldset(options: PreferencePageOptions, section: SectionName): Html {
  const { view } = options;
  const held = view.prefs.sections[section];
  const stale = staleHint(view.stale.sections.includes(section), held.confirmedAt);
  const shown = html`<input type="hidden" name="${FORM_FIELDS.shown}" value="${section}">`;
  if (section === 'birthday') {
    const value = chosen(options, 'birthday', held.values)[0] ?? '';
    const invalid = options.problems?.some((p) => p.field === 'birthday');
    return html`<fieldset>
<legend>Your birthday ${pointsBadge(view, 'birthday')}</legend>
${shown}${stale}
<label for="birthday">Date of birth</label>
<p class="hint" id="birthday-hint">We will send you a treat on the day. Leave it empty if you prefer not to say.</p>
${fieldProblem(options, 'birthday')}
<input class="date" type="date" id="birthday" name="birthday" value="${value}" min="1900-01-01" autocomplete="bday" aria-describedby="birthday-hint${invalid ? ' birthday-error' : ''}"${invalid ? html` aria-invalid="true"` : ''}>
</fieldset>`;
  }
  if (section === 'channels') return channelsFieldset(options, shown, stale);
  const config = view.config[section];
  const multi = MULTI_VALUED_SECTIONS.includes(section);
  const field = section;
  return html`<fieldset id="${fieldAnchor(field)}">
<legend>${config.label} ${pointsBadge(view, section)}</legend>
${shown}${stale}${multi ? html`<p class="hint">Choose as many as you like.</p>` : ''}
${fieldProblem(options, field)}
${choiceList(field, multi ? 'checkbox' : 'radio', config.options, chosen(options, field, held.values))}
</fieldset>`;
}

function channelsFieldset(options: PreferencePageOptions, shown: Html, stale: Html | string): Html {
  const { view } = options;
  const channels = view.config.channels.channels.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }));
  const consented = options.submitted
    ? (options.submitted.consent ?? [])
    : channels.filter((c) => view.prefs.consents[c.value] === 'granted').map((c) => c.value);
  return html`<fieldset>
<legend>How we reach you ${pointsBadge(view, 'channels')}</legend>
${shown}<input type="hidden" name="${FORM_FIELDS.shown}" value="${FORM_FIELDS.consent}">${stale}
<fieldset id="${fieldAnchor('channels')}">
<legend>I prefer to hear from you by</legend>
${fieldProblem(options, 'channels')}
${choiceList('channels', 'radio', channels, chosen(options, 'channels', view.prefs.sections.channels.values))}
</fieldset>
<fieldset id="${fieldAnchor('consent')}">
<legend>You may send me offers and news by</legend>
<p class="hint">Untick a channel to stop marketing on it. Messages about your account and orders are not affected.</p>
${fieldProblem(options, 'consent')}
${choiceList(FORM_FIELDS.consent, 'checkbox', channels, consented)}
</fieldset>
</fieldset>`;
}

function choiceList(
  field: string,
  type: 'checkbox' | 'radio',
  choices: readonly PreferenceOption[],
  selected: readonly string[],
): Html {
  return html`<div class="choices">${choices.map((choice) => {
    const id = `${fieldAnchor(field)}-${choice.value}`;
    return html`<div class="choice"><input type="${type}" id="${id}" name="${field}" value="${choice.value}"${selected.includes(choice.value) ? html` checked` : ''}><label for="${id}">${choice.label}</label></div>`;
  })}</div>`;
}

function quizSection(options: PreferencePageOptions): Html {
  const { view } = options;
  return html`<section aria-labelledby="quizzes-heading">
<h2 id="quizzes-heading">Quizzes, polls and challenges</h2>
${view.quizzes.map((quiz) => {
  const single = quiz.questions.length === 1;
  const questions = quiz.questions.map((question) => {
    const field = answerField(quiz.id, question.id);
    const held = view.prefs.answers[question.key] ?? { values: [], confirmedAt: null };
    const answer = question.answers.find((a) => a.value === held.values[0]);
    const body = html`${staleHint(view.stale.answerKeys.includes(question.key), held.confirmedAt)}
${fieldProblem(options, field)}
${choiceList(
  field,
  'radio',
  question.answers.map((a) => ({ value: a.value, label: a.label })),
  chosen(options, field, held.values),
)}
${answer?.segment ? html`<p class="badge">Your answer makes you one of our ${answer.segment}.</p>` : ''}`;
    return single
      ? html`<p class="question" id="${fieldAnchor(field)}">${question.text}</p>${body}`
      : html`<fieldset id="${fieldAnchor(field)}"><legend>${question.text}</legend>${body}</fieldset>`;
  });
  const only = quiz.questions[0];
  const describedBy =
    single && only ? html` aria-describedby="${fieldAnchor(answerField(quiz.id, only.id))}"` : '';
  return html`<fieldset${describedBy}>
<legend>${quiz.title} ${pointsBadge(view, quizSource(quiz))}</legend>
${quiz.description ? html`<p class="hint">${quiz.description}</p>` : ''}
${questions}
</fieldset>`;
})}
</section>`;
}
