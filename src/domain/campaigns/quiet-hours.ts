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
  const local = inZone(at, zone);
  const now = minuteOfDay(local);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  const wraps = start > end;
  const quietNow = wraps ? now >= start || now < end : now >= start && now < end;
  if (!quietNow) return { at, deferred: false };
  const { hour, minute } = clockTime(quiet.end);
  // In a wrapping window, evenings end tomorrow morning; past midnight they end this morning.
  const endDay = wraps && now >= start ? local.plus({ days: 1 }) : local;
  const allowed = endDay.set({ hour, minute, second: 0, millisecond: 0 });
  return { at: allowed.toJSDate(), deferred: true };
}

function toMinutes(text: string): number {
  const { hour, minute } = clockTime(text);
  return hour * 60 + minute;
}
