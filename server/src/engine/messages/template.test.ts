import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MESSAGE_FIELDS, MESSAGE_KINDS, messageValues } from './kinds';
import { COMPATIBLE, KEY_MAX_CHARS, KEY_TYPES, mappingProblem, renderTemplate, renderValue, yuan, type KeyType } from './template';
import type { FieldValue } from './kinds';

const at = new Date('2026-03-02T02:05:00Z'); // 10:05 in Shanghai

describe('subscribe-message values per WeChat key type', () => {
  it('amounts, times and dates in WeChat’s formats', () => {
    expect(renderValue('amount', { type: 'amount', fen: 123_456 })).toBe('1234.56元');
    expect(renderValue('amount', { type: 'amount', fen: 5 })).toBe('0.05元');
    expect(renderValue('number', { type: 'amount', fen: 1000 })).toBe('10.00');
    expect(renderValue('thing', { type: 'amount', fen: 1000 })).toBe('¥10.00');
    expect(renderValue('time', { type: 'time', at })).toBe('2026年3月2日 10:05');
    expect(renderValue('date', { type: 'time', at })).toBe('2026年3月2日');
    expect(renderValue('thing', { type: 'percent', bp: 13_000 })).toBe('130%');
    expect(renderValue('thing', { type: 'percent', bp: 12_550 })).toBe('125.50%');
    expect(renderValue('character_string', { type: 'code', text: 'OMX3S85LO1TYCQPJW' })).toBe('OMX3S85LO1TYCQPJW');
    expect(yuan(-150)).toBe('-1.50');
  });

  it('texts are cut to the type’s length, never beyond it', () => {
    const long = '一家名字特别特别特别特别长的社区便利店（旗舰店）';
    const thing = renderValue('thing', { type: 'text', text: long });
    expect(Array.from(thing)).toHaveLength(20);
    expect(thing.endsWith('…')).toBe(true);
    expect(renderValue('phrase', { type: 'text', text: '退款成功啦' })).toBe('退款成功啦');
    expect(Array.from(renderValue('phrase', { type: 'text', text: '已到账微信零钱' }))).toHaveLength(5);
    expect(renderValue('character_string', { type: 'code', text: '订单 O-123 号' })).toBe('O-123');
  });

  it('property: every field, in every key type it may fill, stays within the type’s length', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 10 ** 12 }).map((fen): FieldValue => ({ type: 'amount', fen })),
      fc.integer({ min: 0, max: 4_000_000_000_000 }).map((t): FieldValue => ({ type: 'time', at: new Date(t) })),
      fc.integer({ min: 0, max: 10 ** 7 }).map((bp): FieldValue => ({ type: 'percent', bp })),
      fc.string({ maxLength: 200, unit: 'grapheme' }).map((text): FieldValue => ({ type: 'text', text })),
      fc.string({ maxLength: 200 }).map((text): FieldValue => ({ type: 'code', text })),
    );
    fc.assert(
      fc.property(value, (v) => {
        for (const type of COMPATIBLE[v.type]) {
          const out = renderValue(type, v);
          const max = KEY_MAX_CHARS[type];
          if (max !== undefined) expect(Array.from(out).length).toBeLessThanOrEqual(max);
          if (type === 'amount') expect(out).toMatch(/^\d+\.\d{2}元$/);
          if (type === 'number') expect(out).toMatch(/^[0-9.]+$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('mapping our fields to a template', () => {
  it('names the problem for the operator', () => {
    expect(mappingProblem('payout', { templateId: 'T', fields: [{ key: 'amount1', field: 'amount' }, { key: 'time2', field: 'time' }] })).toBeNull();
    expect(mappingProblem('payout', { templateId: '', fields: [] })).toBeNull();
    expect(mappingProblem('payout', { templateId: 'T', fields: [] })).toMatch(/至少/);
    expect(mappingProblem('payout', { templateId: 'T', fields: [{ key: 'thing1', field: 'x' }] })).toMatch(/没有可填入的内容 x/);
    expect(mappingProblem('payout', { templateId: 'T', fields: [{ key: 'thing1', field: 'note' }, { key: 'thing1', field: 'source' }] })).toMatch(/重复/);
    expect(mappingProblem('payout', { templateId: 'T', fields: [{ key: 'date1', field: 'amount' }] })).toMatch(/不能填入 date/);
    expect(mappingProblem('payout', { templateId: 'T', fields: [{ key: 'thing0', field: 'note' }] })).toMatch(/thing0/);
  });

  it('renders only the mapped keys, from the values of each kind', () => {
    for (const kind of MESSAGE_KINDS) {
      const fields = Object.keys(MESSAGE_FIELDS[kind]).map((field, i) => {
        const type = MESSAGE_FIELDS[kind][field]!.type;
        return { key: `${COMPATIBLE[type][0]}${i + 1}`, field };
      });
      const mapping = { templateId: 'T', fields: fields.slice(0, 5) };
      expect(mappingProblem(kind, mapping)).toBeNull();
      const data = renderTemplate(kind, mapping, messageValues(kind, { amount: '6500', queue: '商城队列', ratio: '120%', orderId: 'O1', status: '已到账' }, at));
      expect(Object.keys(data).sort()).toEqual(mapping.fields.map((f) => f.key).sort());
      for (const v of Object.values(data)) expect(v.value.length).toBeGreaterThan(0);
    }
    expect(KEY_TYPES).toContain('thing' satisfies KeyType);
  });
});
