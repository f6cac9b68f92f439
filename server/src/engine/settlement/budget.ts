/**
 * The documents a batch will write, counted as it is planned (distinct keys: a queue or a
 * balance touched by forty orders is written once). The planner asks before each step whether
 * what that step may touch still fits, and ends the batch (or cuts a payout) when it does not.
 */
export class DocBudget {
  private readonly keys = new Set<string>();

  constructor(readonly limit: number) {}

  touch(...keys: string[]): void {
    for (const k of keys) this.keys.add(k);
  }

  get used(): number {
    return this.keys.size;
  }

  /** whether `n` more documents fit */
  fits(n: number): boolean {
    return this.keys.size + n <= this.limit;
  }
}

/** Keys of the documents a batch writes, one namespace per collection. */
export const doc = {
  order: (id: string) => `orders/${id}`,
  entry: (id: string) => `entries/${id}`,
  queue: (key: string) => `queues/${key}`,
  unionEntry: (id: string) => `union_entries/${id}`,
  unionState: 'union_state/union',
  greenState: 'green_state/green',
  greenDay: (day: string) => `green_days/${day}`,
  lot: (id: string) => `green_lots/${id}`,
  counter: (id: string) => `counters/${id}`,
  inflow: (id: string) => `inflows/${id}`,
  user: (id: string) => `users/${id}`,
  balance: (account: string) => `balances/${account}`,
  /** a posting document in a shopper's history: one per journal entry, account and memo */
  posting: (eventKey: string, account: string, memo: string) => `postings/${eventKey}/${account}/${memo}`,
  journal: (eventKey: string) => `journal/${eventKey}`,
} as const;
