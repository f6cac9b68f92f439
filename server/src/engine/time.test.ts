import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import { describe, expect, it } from 'vitest';
import { addDays, shanghaiDay } from './time';

dayjs.extend(utc);

describe('Shanghai days by arithmetic agree with dayjs', () => {
  it('shanghaiDay and addDays, around midnights, month and year ends, leap days', () => {
    const instants = ['2026-03-14T15:59:59.999Z', '2026-03-14T16:00:00.000Z', '2024-02-28T16:00:00Z', '2024-02-29T15:59:59Z', '2025-12-31T16:00:00Z', '1999-12-31T15:59:59Z', '2100-02-28T16:00:00Z'];
    for (const iso of instants) expect(shanghaiDay(new Date(iso)), iso).toBe(dayjs.utc(iso).add(480, 'minute').format('YYYY-MM-DD'));
    for (let t = Date.parse('2023-12-25T00:00:00Z'); t < Date.parse('2025-03-05T00:00:00Z'); t += 3_600_000 * 7) {
      const at = new Date(t);
      expect(shanghaiDay(at)).toBe(dayjs.utc(at).add(480, 'minute').format('YYYY-MM-DD'));
    }
    for (const [day, n] of [['2024-02-28', 1], ['2024-02-29', 1], ['2025-12-31', 1], ['2026-03-01', -1], ['2026-03-15', -29], ['2026-01-01', 300], ['2026-08-01', 14]] as const) {
      expect(addDays(day, n), `${day} + ${n}`).toBe(dayjs.utc(day).add(n, 'day').format('YYYY-MM-DD'));
    }
  });
});
