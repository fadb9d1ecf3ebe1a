import { describe, expect, it } from 'vitest';
import { Schedule } from '../../contracts/campaigns.ts';
import { nextAllowedTime } from './quiet-hours.ts';
import { plannedSendTime, type SendTimeMember } from './send-time.ts';

const now = new Date('2024-06-03T10:00:00Z'); // Monday
const london: SendTimeMember = { zone: 'Europe/London' };
const plan = (input: unknown, member = london, at = now) =>
  plannedSendTime(Schedule.parse(input), member, at);

describe('planned send time', () => {
  it('sends now at once', () => {
    expect(plan({ kind: 'now' })).toEqual(now);
  });

  it("sends at a local time in each member's own zone", () => {
    const schedule = { kind: 'local_time', date: '2024-06-05', time: '09:00' };
    expect(plan(schedule)?.toISOString()).toBe('2024-06-05T08:00:00.000Z');
    expect(plan(schedule, { zone: 'America/New_York' })?.toISOString()).toBe('2024-06-05T13:00:00.000Z');
    expect(plan(schedule, { zone: 'Asia/Tokyo' })?.toISOString()).toBe('2024-06-05T00:00:00.000Z');
  });

  it('sends a local time that has already passed at once, late rather than never', () => {
    expect(plan({ kind: 'local_time', date: '2024-06-01', time: '09:00' })).toEqual(now);
  });

  it('follows a monthly loyalty calendar in local time across a daylight-saving change', () => {
    const monthly = { kind: 'recurring', every: 'month', day: 1, time: '09:00' };
    expect(plan(monthly)?.toISOString()).toBe('2024-07-01T08:00:00.000Z');
    // From October the 1 November statement is at 09:00 GMT.
    expect(plan(monthly, london, new Date('2024-10-02T00:00:00Z'))?.toISOString()).toBe(
      '2024-11-01T09:00:00.000Z',
    );
  });

  it('runs weekly on the named weekday, today if the time is still ahead', () => {
    expect(plan({ kind: 'recurring', every: 'week', day: 1, time: '18:00' })?.toISOString()).toBe(
      '2024-06-03T17:00:00.000Z',
    );
    expect(plan({ kind: 'recurring', every: 'week', day: 1, time: '08:00' })?.toISOString()).toBe(
      '2024-06-10T07:00:00.000Z',
    );
  });

  it('stops a recurring schedule after its last day', () => {
    expect(
      plan({ kind: 'recurring', every: 'month', day: 1, time: '09:00', until: '2024-06-30' }),
    ).toBeNull();
  });

  it('sends a triggered campaign the delay after the member entered the segment', () => {
    const trigger = { kind: 'on_entry', segment: 'loyalty/new_enthusiasts', delayHours: 48 };
    expect(plan(trigger, { ...london, enteredAt: new Date('2024-06-02T09:00:00Z') })?.toISOString()).toBe(
      '2024-06-04T09:00:00.000Z',
    );
    expect(plan(trigger)).toBeNull();
  });
});

describe('quiet hours', () => {
  const quiet = { start: '21:00', end: '08:00' };
  const at = (iso: string) => nextAllowedTime(new Date(iso), quiet, 'Europe/London');

  it('defers an evening send to the next morning and an early-morning one to the same morning', () => {
    expect(at('2024-06-03T20:30:00Z')).toEqual({ at: new Date('2024-06-04T07:00:00Z'), deferred: true });
    expect(at('2024-06-04T05:00:00Z')).toEqual({ at: new Date('2024-06-04T07:00:00Z'), deferred: true });
  });

  it('leaves a daytime send alone, including the first minute after quiet hours', () => {
    expect(at('2024-06-04T07:00:00Z')).toEqual({ at: new Date('2024-06-04T07:00:00Z'), deferred: false });
    expect(at('2024-06-04T19:59:00Z').deferred).toBe(false);
  });

  it('handles a window that does not wrap midnight', () => {
    const lunch = nextAllowedTime(
      new Date('2024-06-04T11:30:00Z'),
      { start: '12:00', end: '14:00' },
      'Europe/London',
    );
    expect(lunch).toEqual({ at: new Date('2024-06-04T13:00:00Z'), deferred: true });
  });
});
