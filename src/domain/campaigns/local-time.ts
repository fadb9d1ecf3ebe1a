import { DateTime, IANAZone } from 'luxon';

// Wall-clock arithmetic in a member's zone (quiet hours, local send times, recurring calendars).
// Luxon does the zone and daylight-saving work; a wall time that does not exist on a spring-forward
// day moves forward to the first one that does.

/** "21:30" -> { hour: 21, minute: 30 }. */
export function clockTime(text: string): { hour: number; minute: number } {
  const [hour = 0, minute = 0] = text.split(':').map(Number);
  return { hour, minute };
}

/** The zone to use for a member: theirs if valid, else the program default. */
export function zoneOf(memberZone: string | null | undefined, fallback: string): string {
  // IANAZone.create keeps one zone per name and checks it once; isValidZone builds an
  // Intl.DateTimeFormat on every call, which cost a launch hundreds of microseconds per member.
  if (memberZone && IANAZone.create(memberZone).isValid) return memberZone;
  return fallback;
}

/** The instant of a wall-clock time on a calendar day in a zone. */
export function instantAt(day: string, time: string, zone: string): Date {
  const { hour, minute } = clockTime(time);
  const [year, month, dayOfMonth] = day.split('-').map(Number);
  return DateTime.fromObject({ year, month, day: dayOfMonth, hour, minute }, { zone }).toJSDate();
}

/** The instant in a zone as a DateTime, for calendar reads. */
export function inZone(instant: Date, zone: string): DateTime {
  return DateTime.fromJSDate(instant, { zone });
}

/** Minutes since local midnight. */
export function minuteOfDay(local: DateTime): number {
  return local.hour * 60 + local.minute;
}
