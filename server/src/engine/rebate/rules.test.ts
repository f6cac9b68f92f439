import { describe, expect, it } from 'vitest';
import { defaultPluginConfig } from '../config/defaults';
import { insideRewardWindow, lastResetInstant } from './rules';

const reset = (patch: Partial<ReturnType<typeof defaultPluginConfig>['rebate']['reset']>) => ({ ...defaultPluginConfig().rebate.reset, enabled: true, ...patch });
const at = (s: string) => new Date(s);

describe('队列奖励清零 schedules (Asia/Shanghai)', () => {
  it('daily at a set time: the latest instant at or before now', () => {
    expect(lastResetInstant(reset({ schedule: 'daily', time: '03:30' }), at('2026-08-02T03:29:00+08:00'))).toEqual(at('2026-08-01T03:30:00+08:00'));
    expect(lastResetInstant(reset({ schedule: 'daily', time: '03:30' }), at('2026-08-02T03:30:00+08:00'))).toEqual(at('2026-08-02T03:30:00+08:00'));
  });
  it('weekly on a weekday (1 = Monday)', () => {
    // 2026-08-03 is a Monday
    expect(lastResetInstant(reset({ schedule: 'weekly', weekday: 1, time: '00:00' }), at('2026-08-09T23:00:00+08:00'))).toEqual(at('2026-08-03T00:00:00+08:00'));
    expect(lastResetInstant(reset({ schedule: 'weekly', weekday: 7, time: '00:00' }), at('2026-08-09T23:00:00+08:00'))).toEqual(at('2026-08-09T00:00:00+08:00'));
  });
  it('monthly on a day of the month', () => {
    expect(lastResetInstant(reset({ schedule: 'monthly', monthDay: 15, time: '00:00' }), at('2026-09-10T12:00:00+08:00'))).toEqual(at('2026-08-15T00:00:00+08:00'));
  });
  it('once at a set time, and never before it', () => {
    const r = reset({ schedule: 'once', onceAt: '2026-08-20T18:00:00+08:00' });
    expect(lastResetInstant(r, at('2026-08-20T17:59:59+08:00'))).toBeNull();
    expect(lastResetInstant(r, at('2026-09-01T00:00:00+08:00'))).toEqual(at('2026-08-20T18:00:00+08:00'));
  });
  it('switched off: never', () => {
    expect(lastResetInstant({ ...reset({}), enabled: false }, at('2026-08-20T18:00:00+08:00'))).toBeNull();
  });
});

describe('奖励时间段', () => {
  it('dates and daily hours, including a window across midnight', () => {
    const w = { startAt: '2026-08-01T00:00:00+08:00', endAt: '2026-09-01T00:00:00+08:00', dailyStart: '22:00', dailyEnd: '02:00' };
    expect(insideRewardWindow(w, at('2026-08-05T23:00:00+08:00'))).toBe(true);
    expect(insideRewardWindow(w, at('2026-08-05T01:59:00+08:00'))).toBe(true);
    expect(insideRewardWindow(w, at('2026-08-05T12:00:00+08:00'))).toBe(false);
    expect(insideRewardWindow(w, at('2026-09-01T23:00:00+08:00'))).toBe(false);
    expect(insideRewardWindow(null, at('2026-09-01T23:00:00+08:00'))).toBe(true);
  });
});
