import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);

/**
 * Asia/Shanghai calendar helpers. China has had no daylight saving since 1991, so local
 * time is exactly UTC+8; a fixed offset keeps these pure and independent of the host's tz data.
 */
const OFFSET_MINUTES = 8 * 60;

const local = (at: Date) => dayjs.utc(at).add(OFFSET_MINUTES, 'minute');

const DAY_MS = 86_400_000;

/**
 * 'YYYY-MM-DD' of the Shanghai calendar day containing `at`. Plain arithmetic on the fixed offset
 * (the settler and the what-if replay call this for every inflow, union entry and price day;
 * formatting through dayjs cost ~8 µs a call); the same answer for every year 0000–9999.
 */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

/** Add whole days to a 'YYYY-MM-DD' day. */
export function addDays(day: string, days: number): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return dayjs.utc(day).add(days, 'day').format('YYYY-MM-DD');
  return new Date(t + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant 00:00 Shanghai of a 'YYYY-MM-DD' day. */
export function startOfShanghaiDay(day: string): Date {
  return dayjs.utc(day).subtract(OFFSET_MINUTES, 'minute').toDate();
}

/** Minutes since Shanghai midnight. */
export function shanghaiMinuteOfDay(at: Date): number {
  const l = local(at);
  return l.hour() * 60 + l.minute();
}

/** 1 = Monday … 7 = Sunday */
export function shanghaiWeekday(at: Date): number {
  const d = local(at).day();
  return d === 0 ? 7 : d;
}

export function shanghaiMonthDay(at: Date): number {
  return local(at).date();
}

export function parseHhmm(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** 'YYYY-MM-DD HH:mm' in Shanghai, for messages. */
export function formatShanghai(at: Date): string {
  return local(at).format('YYYY-MM-DD HH:mm');
}

/** WeChat Pay's times (time_end, success_time): 'yyyyMMddHHmmss' or 'yyyy-MM-dd HH:mm:ss', Asia/Shanghai. */
export function parseWxTime(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})/.exec(v);
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
