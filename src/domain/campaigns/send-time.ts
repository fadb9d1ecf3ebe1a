import type { Schedule } from '../../contracts/campaigns.ts';
import { clockTime, instantAt, inZone } from './local-time.ts';

// When a member's message is planned, before quiet hours are applied. Each kind of schedule is
// read in the member's own zone where it names a wall-clock time.

/** What a schedule needs about one member. */
export interface SendTimeMember {
  /** The member's zone, already defaulted to the program's. */
  zone: string;
  /** When the member entered the trigger segment (on_entry schedules only). */
  enteredAt?: Date | undefined;
}

/**
 * The planned send time at or after `now`, or null when there is none: an on_entry schedule for a
 * member who has not entered, or a recurring one past its end. A local time already past today is
 * sent at once (late rather than never).
 */
export function plannedSendTime(schedule: Schedule, member: SendTimeMember, now: Date): Date | null {
  switch (schedule.kind) {
    case 'now':
      return now;
    case 'local_time':
      return latest(instantAt(schedule.date, schedule.time, member.zone), now);
    case 'on_entry':
      if (member.enteredAt === undefined) return null;
      return latest(new Date(member.enteredAt.getTime() + schedule.delayHours * 3_600_000), now);
    case 'recurring':
      return nextOccurrence(schedule, member.zone, now);
  }
}

type Recurring = Extract<Schedule, { kind: 'recurring' }>;

/** The first occurrence of a recurring schedule at or after `now` in the zone, or null past `until`. */
export function nextOccurrence(schedule: Recurring, zone: string, now: Date): Date | null {
  const { hour, minute } = clockTime(schedule.time);
  let day = inZone(now, zone).startOf('day');
  if (schedule.starts !== undefined) {
    const starts = inZone(instantAt(schedule.starts, '00:00', zone), zone).startOf('day');
    if (starts > day) day = starts;
  }
  // Within 32 days every daily, weekly and monthly schedule has an occurrence.
  for (let i = 0; i < 32; i++, day = day.plus({ days: 1 })) {
    if (
      schedule.until !== undefined &&
      day.toISODate() !== null &&
      (day.toISODate() as string) > schedule.until
    ) {
      return null;
    }
    const matches =
      schedule.every === 'day' ||
      (schedule.every === 'week' && day.weekday === (schedule.day ?? 1)) ||
      (schedule.every === 'month' && day.day === (schedule.day ?? 1));
    if (!matches) continue;
    const at = day.set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
    if (at.getTime() >= now.getTime()) return at;
  }
  return null;
}

function latest(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
