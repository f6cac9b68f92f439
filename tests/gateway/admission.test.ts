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

  it('callbacks take slots of their own beyond the limit; a slot freed above the limit goes to no shopper call', async () => {
    const a = new Admission(2, 1);
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const job = (lane: 'callback' | 'call', name: string) =>
      a.run(lane, async () => {
        order.push(name);
        await new Promise<void>((r) => gates.set(name, r));
      });
    const all = [job('call', 'c1'), job('call', 'c2'), job('call', 'c3'), job('callback', 'pay1'), job('callback', 'pay2')];
    await tick();
    // pay1 runs beside the two calls (the reserve); pay2 waits (reserve taken), and so does c3
    expect(order).toEqual(['c1', 'c2', 'pay1']);
    expect(a.load).toEqual({ active: 3, waiting: 2 });
    gates.get('c1')!();
    await tick();
    // the freed slot goes to the waiting callback first
    expect(order).toEqual(['c1', 'c2', 'pay1', 'pay2']);
    gates.get('pay1')!();
    await tick();
    // three were running (one in the reserve): the slot pay1 gives back is above the limit, so c3 still waits
    expect(order).toEqual(['c1', 'c2', 'pay1', 'pay2']);
    expect(a.load).toEqual({ active: 2, waiting: 1 });
    gates.get('pay2')!();
    await tick();
    expect(order).toEqual(['c1', 'c2', 'pay1', 'pay2', 'c3']);
    for (const n of ['c2', 'c3']) gates.get(n)!();
    await Promise.all(all);
    expect(a.load).toEqual({ active: 0, waiting: 0 });
    // a reserve of no slots is the plain line; a negative or fractional one is refused
    expect(() => new Admission(2, -1)).toThrow(/reserve/);
    expect(() => new Admission(2, 0.5)).toThrow(/reserve/);
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

describe('gateway admission and waiting for the settler', () => {
  it('gives the slot back while a call waits (idleWait), and brings it back ahead of new calls', async () => {
    const { idleWait } = await import('../../server/src/runtime/idle-wait');
    const a = new Admission(1);
    const order: string[] = [];
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    let releaseB!: () => void;
    const pay = a.run('call', async () => {
      order.push('pay: recorded');
      await idleWait(() => idleWait(() => settled)); // nested: given back once
      order.push('pay: answered');
    });
    await tick();
    const b = a.run('call', async () => {
      order.push('b');
      await new Promise<void>((r) => (releaseB = r));
    });
    const c = a.run('call', async () => void order.push('c'));
    await tick();
    // b ran while pay waited; c waits for the one slot
    expect(order).toEqual(['pay: recorded', 'b']);
    settle();
    await tick();
    expect(a.load).toEqual({ active: 1, waiting: 2 });
    releaseB();
    await Promise.all([pay, b, c]);
    // pay, back from waiting, went ahead of c
    expect(order).toEqual(['pay: recorded', 'b', 'pay: answered', 'c']);
    expect(a.load).toEqual({ active: 0, waiting: 0 });
  });

  it('work a call left running after it answered waits without touching the slots', async () => {
    const { idleWait } = await import('../../server/src/runtime/idle-wait');
    const a = new Admission(1);
    let later!: Promise<number>;
    let activeWhileWaiting: number | null = null;
    await a.run('call', async () => {
      // started by the call, finished after it (like a settler pass it kicked)
      later = new Promise<void>((r) => setImmediate(r)).then(() => idleWait(async () => ((activeWhileWaiting = a.load.active), 5)));
    });
    expect(await later).toBe(5);
    // it gave back no slot it did not hold (the count never went below zero)
    expect(activeWhileWaiting).toBe(0);
    expect(a.load).toEqual({ active: 0, waiting: 0 });
    expect(await a.run('call', async () => 6)).toBe(6);
  });

  it('outside the gateway idleWait is the wait itself', async () => {
    const { idleWait } = await import('../../server/src/runtime/idle-wait');
    expect(await idleWait(async () => 42)).toBe(42);
  });
});
