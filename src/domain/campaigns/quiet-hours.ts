import type { QuietHours } from '../../contracts/campaigns.ts';
import { clockTime, inZone, minuteOfDay } from './local-time.ts';

/**
 * When a message planned for `at` may arrive: `at` itself outside quiet hours, else the end of the
 * quiet window in the member's zone (the same night's morning). Windows may wrap midnight
 * (21:00-08:00) or not (12:00-14:00); equal start and end mean no quiet hours.
 */
export function nextAllowedTime(
  at: Date,
  quiet: QuietHours | null,
  zone: string,
): { at: Date; deferred: boolean } {
  if (quiet === null || quiet.start === quiet.end) return { at, deferred: false };
  // A launch asks this for every member, mostly with the same instant and a handful of zones; the
  // zone arithmetic costs tens of microseconds, so answers are kept (a bounded, pure memo).
  const key = `${at.getTime()} ${zone} ${quiet.start} ${quiet.end}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    if (answers.size >= MEMO_SIZE) answers.clear();
    answer = quietAnswer(at, quiet, zone);
    answers.set(key, answer);
  }
  return answer.deferred ? { at: new Date(answer.at), deferred: true } : { at, deferred: false };
}

/** Answers kept before the memo starts again. */
const MEMO_SIZE = 10_000;
const answers = new Map<string, { at: number; deferred: boolean }>();

function quietAnswer(at: Date, quiet: QuietHours, zone: string): { at: number; deferred: boolean } {
  const local = inZone(at, zone);
  const now = minuteOfDay(local);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  const wraps = start > end;
  const quietNow = wraps ? now >= start || now < end : now >= start && now < end;
  if (!quietNow) return { at: at.getTime(), deferred: false };
  const { hour, minute } = clockTime(quiet.end);
  // In a wrapping window, evenings end tomorrow morning; past midnight they end this morning.
  const endDay = wraps && now >= start ? local.plus({ days: 1 }) : local;
  const allowed = endDay.set({ hour, minute, second: 0, millisecond: 0 });
  return { at: allowed.toMillis(), deferred: true };
}

function toMinutes(text: string): number {
  const { hour, minute } = clockTime(text);
  return hour * 60 + minute;
}
