import { describe, expect, it } from 'vitest';
import { Admission } from '../../server/src/gateway/admission';

const tick = () => new Promise((r) => setImmediate(r));

describe('gateway admission', () => {
  it('never runs more than the limit at once, and lets payment callbacks go first', async () => {
    const a = new Admission(2);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const job = (lane: 'callback' | 'call', name: string) =>
      a.run(lane, async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(name);
        await new Promise<void>((r) => gates.set(name, r));
        running--;
        return name;
      });
    const all = [job('call', 'c1'), job('call', 'c2'), job('call', 'c3'), job('call', 'c4'), job('callback', 'pay1')];
    await tick();
    expect(order).toEqual(['c1', 'c2']);
    expect(a.load).toEqual({ active: 2, waiting: 3 });
    gates.get('c1')!();
    await tick();
    // the callback waited least but goes first
    expect(order).toEqual(['c1', 'c2', 'pay1']);
    for (const n of ['c2', 'pay1']) gates.get(n)!();
    await tick();
    expect(order).toEqual(['c1', 'c2', 'pay1', 'c3', 'c4']);
    for (const n of ['c3', 'c4']) gates.get(n)!();
    expect(await Promise.all(all)).toEqual(['c1', 'c2', 'c3', 'c4', 'pay1']);
    expect(peak).toBe(2);
    expect(a.load).toEqual({ active: 0, waiting: 0 });
  });

  it('releases the slot when a call throws', async () => {
    const a = new Admission(1);
    await expect(a.run('call', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await a.run('call', async () => 7)).toBe(7);
    expect(a.load).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, NaN]) expect(() => new Admission(bad)).toThrow(/positive integer/);
  });
});
