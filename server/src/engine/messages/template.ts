import { formatShanghai } from '../time';
import { MESSAGE_FIELDS, type FieldType, type FieldValue, type MessageKind } from './kinds';

/**
 * WeChat subscribe-message templates: a template's keys are `<type><n>` (thing1, amount2, time3 …)
 * and WeChat refuses a send (47003) when a value breaks its type's rule. The rules per type, from
 * WeChat's subscribeMessage.send documentation:
 *
 *   thing 20 characters · number 32 digits (may carry a decimal point) · letter 32 letters ·
 *   symbol 5 symbols · character_string 32 digits/letters/symbols · time a 24-hour time, optionally
 *   with the date (2019年10月1日 15:01) · date a date (2019年10月1日) · amount a currency symbol,
 *   up to 10 digits with decimals, optionally ending in 元 · phone_number 17 digits/symbols ·
 *   car_number 8 characters · name 10 Chinese characters or 20 letters · phrase 5 Chinese characters
 *
 * `renderValue` writes each field so that it passes its key's rule (cut to length, never rounded
 * up); `COMPATIBLE` says which field may fill which key type, checked when the operator saves.
 */

export const KEY_TYPES = ['thing', 'number', 'letter', 'symbol', 'character_string', 'time', 'date', 'amount', 'phone_number', 'car_number', 'name', 'phrase'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const KEY_PATTERN = /^(thing|number|letter|symbol|character_string|time|date|amount|phone_number|car_number|name|phrase)([1-9]\d{0,1})$/;

/** Length limits in characters (code points), where the type has one. */
export const KEY_MAX_CHARS: Partial<Record<KeyType, number>> = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  phone_number: 17,
  car_number: 8,
  name: 10,
  phrase: 5,
};

/** At most this many keys per template (WeChat's templates have up to five keywords). */
export const MAX_TEMPLATE_KEYS = 5;

/** Which key types a field of each type may fill. */
export const COMPATIBLE: Record<FieldType, readonly KeyType[]> = {
  amount: ['amount', 'number', 'thing', 'character_string'],
  time: ['time', 'date', 'thing', 'character_string'],
  percent: ['thing', 'character_string', 'number'],
  text: ['thing', 'phrase', 'name'],
  code: ['character_string', 'thing'],
};

export function keyTypeOf(key: string): KeyType | null {
  const m = KEY_PATTERN.exec(key);
  return m ? (m[1] as KeyType) : null;
}

const chars = (s: string) => Array.from(s);
const cut = (s: string, max: number) => chars(s).slice(0, max).join('');

/** Fen as yuan with two decimals, from the integer (never through floats). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(Math.trunc(fen));
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function shanghaiParts(at: Date): { y: string; m: string; d: string; hm: string } {
  const [day, hm] = formatShanghai(at).split(' ') as [string, string];
  const [y, m, d] = day.split('-') as [string, string, string];
  return { y, m: String(Number(m)), d: String(Number(d)), hm };
}

/** The text of one field for a key of `type`, within the type's rule. */
export function renderValue(type: KeyType, v: FieldValue): string {
  const asText = (): string => {
    switch (v.type) {
      case 'amount':
        return `¥${yuan(v.fen)}`;
      case 'time': {
        const p = shanghaiParts(v.at);
        return `${p.y}年${p.m}月${p.d}日 ${p.hm}`;
      }
      case 'percent':
        return `${yuan(v.bp)}%`.replace(/\.00%$/, '%');
      default:
        return v.text;
    }
  };
  switch (type) {
    case 'amount':
      return v.type === 'amount' ? `${yuan(v.fen)}元` : '0.00元';
    case 'number':
      return cut(v.type === 'amount' ? yuan(v.fen) : v.type === 'percent' ? yuan(v.bp).replace(/\.00$/, '') : asText().replace(/[^0-9.]/g, '') || '0', 32);
    case 'time': {
      if (v.type !== 'time') return cut(asText(), 20);
      const p = shanghaiParts(v.at);
      return `${p.y}年${p.m}月${p.d}日 ${p.hm}`;
    }
    case 'date': {
      if (v.type !== 'time') return cut(asText(), 20);
      const p = shanghaiParts(v.at);
      return `${p.y}年${p.m}月${p.d}日`;
    }
    case 'character_string':
      return cut(asText().replace(/[^\x21-\x7e]/g, ''), 32) || '-';
    case 'letter':
      return cut(asText().replace(/[^A-Za-z]/g, ''), 32) || 'x';
    case 'symbol':
      return cut(asText().replace(/[A-Za-z0-9\u4e00-\u9fff\s]/g, ''), 5) || '-';
    case 'phone_number':
      return cut(asText().replace(/[^0-9+\-]/g, ''), 17);
    default: {
      const text = asText().trim() || '-';
      const max = KEY_MAX_CHARS[type] ?? 20;
      // a cut text says so with its last character, within the limit
      return chars(text).length <= max ? text : `${cut(text, max - 1)}…`;
    }
  }
}

export interface TemplateMapping {
  /** the template id from the mini-program console; '' = this kind is not sent */
  templateId: string;
  /** our field → the template's key */
  fields: { key: string; field: string }[];
}

/** Why a mapping cannot be used (in Chinese, for the operator), or null. */
export function mappingProblem(kind: MessageKind, m: TemplateMapping): string | null {
  if (m.fields.length > MAX_TEMPLATE_KEYS) return `最多 ${MAX_TEMPLATE_KEYS} 个字段`;
  if (m.templateId && m.fields.length === 0) return '已填写模板编号，请至少对应一个字段';
  const keys = new Set<string>();
  for (const f of m.fields) {
    const type = keyTypeOf(f.key);
    if (!type) return `模板字段 ${f.key} 不是微信的字段名（如 thing1、amount2、time3）`;
    if (keys.has(f.key)) return `模板字段 ${f.key} 重复`;
    keys.add(f.key);
    const def = MESSAGE_FIELDS[kind][f.field];
    if (!def) return `没有可填入的内容 ${f.field}（可选：${Object.keys(MESSAGE_FIELDS[kind]).join('、')}）`;
    if (!COMPATIBLE[def.type].includes(type)) return `${def.label} 不能填入 ${type} 类型的字段 ${f.key}（可填：${COMPATIBLE[def.type].join('、')}）`;
  }
  return null;
}

/** The `data` of subscribeMessage.send: every mapped key with its value written for its type. */
export function renderTemplate(kind: MessageKind, m: TemplateMapping, values: Record<string, FieldValue>): Record<string, { value: string }> {
  const out: Record<string, { value: string }> = {};
  for (const f of m.fields) {
    const type = keyTypeOf(f.key);
    const v = values[f.field];
    if (!type || !v) continue;
    out[f.key] = { value: renderValue(type, v) };
  }
  void kind;
  return out;
}
