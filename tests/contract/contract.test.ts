import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as C from '../../shared/contract';
import { exchangeAmount } from '../../server/src/engine/rebate/rules';
import { formatYuan, mulBpFloor } from '../../server/src/money/units';
import { MESSAGE_TITLES } from '../../server/src/engine/messages/kinds';
import { ERROR_CODES } from '../../server/src/runtime/errors';
import type { Delivery, EntryDoc, OrderDoc, ShippingInfo, WithdrawalDoc } from '../../server/src/repo/documents';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { defaultPluginConfig } from '../../server/src/engine/config/defaults';
import { queue } from '../../server/src/functions/queue';
import type * as V from '../../shared/views';
import type { Api, ApiData, ApiParams } from '../../server/src/functions/api';
import type { FUNCTIONS } from '../../server/src/functions';

type ExchangeSettings = PluginConfig['rebate']['exchange'];

/** Compile-time: true only when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_: T) => undefined;

// The stored documents use the contract's unions (a member added to the contract and not to a document fails here).
same<Same<OrderDoc['status'], C.OrderStatus>>(true);
same<Same<OrderDoc['kind'], C.OrderKind>>(true);
same<Same<EntryDoc['status'], C.EntryStatus>>(true);
same<Same<NonNullable<EntryDoc['exchanged']>['to'], C.ExchangeTarget>>(true);
same<Same<Delivery['method'], C.DeliveryMethod>>(true);
same<Same<ShippingInfo['method'], C.DeliveryMethod>>(true);
same<Same<WithdrawalDoc['status'], C.WithdrawalStatus>>(true);
same<Same<NonNullable<WithdrawalDoc['method']>, C.WithdrawalMethod>>(true);
// the plugin's exchange settings have a ratio for every target
same<Same<Pick<ExchangeSettings, (typeof C.EXCHANGE_BP_FIELD)[C.ExchangeTarget]>, C.ExchangeRatios>>(true);
// The shared views: what the server builds (instants as Date) is, once JSON, exactly what the client is typed with.
same<Same<V.Wire<V.BuyerOrderView<Date>>, V.BuyerOrderView>>(true);
same<Same<V.Wire<V.WithdrawalView<Date>>, V.WithdrawalView>>(true);
same<Same<V.Wire<V.MyEntriesView<Date>>, V.MyEntriesView>>(true);
// The typed API map (server/src/functions/api.ts, what the client's call() is typed with) has every function and action of FUNCTIONS …
same<Same<keyof Api, keyof typeof FUNCTIONS>>(true);
same<Same<keyof Api['admin'], keyof (typeof FUNCTIONS)['admin']>>(true);
// … and its answers are the shared views where the server builds one (a field added to a builder and not to the view fails to compile there)
same<Same<ApiData<'order', 'get'>, V.BuyerOrderView>>(true);
same<Same<ApiData<'order', 'list'>[number], V.BuyerOrderView>>(true);
same<Same<ApiData<'order', 'create'>, V.OrderView>>(true);
same<Same<ApiData<'merchant', 'orders'>[number], V.OrderView>>(true);
same<Same<ApiData<'admin', 'shipOrder'>, V.OrderView>>(true);
same<Same<ApiData<'queue', 'mine'>, V.MyEntriesView>>(true);
same<Same<ApiData<'wallet', 'withdrawals'>[number], V.WithdrawalView>>(true);
same<Same<ApiData<'wallet', 'checkPayout'>, V.WithdrawalView>>(true);
same<Same<ApiData<'wallet', 'balances'>, V.BalancesView>>(true);
same<Same<ApiData<'green', 'state'>, V.GreenStateView>>(true);
same<Same<ApiData<'merchant', 'revenue'>['withdrawals'][number], V.WithdrawalView>>(true);
// instants arrive as strings, never as Date objects
same<Same<ApiData<'admin', 'anomalies'>[number]['at'], string>>(true);
same<Same<ApiData<'user', 'invitees'>['friends'][number]['joinedAt'], string>>(true);
// requests: the schemas' enumerations are the contract's (a target added to the contract is one the client may send)
same<Same<ApiParams<'queue', 'exchange'>['to'], C.ExchangeTarget>>(true);
same<Same<NonNullable<ApiParams<'queue', 'mine'>['status']>, C.EntryStatus>>(true);
same<Same<NonNullable<ApiParams<'order', 'list'>['status']>, C.OrderStatus>>(true);
same<Same<NonNullable<ApiParams<'admin', 'reviewWithdrawal'>['method']>, C.WithdrawalMethod>>(true);
same<Same<NonNullable<ApiParams<'order', 'create'>['delivery']>['method'], C.DeliveryMethod>>(true);
// a request without a required parameter, or with one the schema lacks, does not compile; nor does reading a field an answer lacks
// @ts-expect-error -- amountFen is required
({}) satisfies ApiParams<'wallet', 'withdraw'>;
// @ts-expect-error -- identity never comes from params
({ amountFen: 100, userId: 'u1' }) satisfies ApiParams<'wallet', 'withdraw'>;
// @ts-expect-error -- called on either function, the parameters must suit both: merchant.orders needs the store
({ filter: 'all' }) satisfies ApiParams<'merchant' | 'admin', 'orders'>;
({ storeId: 's1', filter: 'all' }) satisfies ApiParams<'merchant' | 'admin', 'orders'>;
// an answer the server types loosely (any) is unknown to the client, never unchecked
same<Same<V.Wire<{ a: any }>, { a: unknown }>>(true);
// @ts-expect-error -- not a field of the balances
export type _NotAField = ApiData<'wallet', 'balances'>['balanceFen'];
// @ts-expect-error -- not an action
export type _NotAnAction = Api['wallet']['transfer'];
// the plugin's exchange settings are the view's
same<Same<ExchangeSettings, V.ExchangeSettings>>(true);
// the server's error codes are the contract's
same<Same<keyof typeof ERROR_CODES, C.ErrorCode>>(true);
// every message kind has a title (a Record over the union)
MESSAGE_TITLES satisfies Record<C.MessageKind, string>;

describe('shared contract', () => {
  it('tuples have no duplicates', () => {
    for (const t of [C.EXCHANGE_TARGETS, C.ORDER_STATUSES, C.ORDER_KINDS, C.ENTRY_STATUSES, C.DELIVERY_METHODS, C.WITHDRAWAL_STATUSES, C.WITHDRAWAL_METHODS, C.MESSAGE_KINDS, C.ERROR_CODE_LIST]) {
      expect(new Set(t).size).toBe(t.length);
    }
  });

  it('the exchange action accepts exactly the contract targets', () => {
    const to = (queue.exchange!.params as z.ZodObject<{ to: z.ZodEnum }>).shape.to;
    expect(to.options).toEqual([...C.EXCHANGE_TARGETS]);
  });

  it('the exchange arithmetic is the server engine’s', () => {
    const base = defaultPluginConfig();
    const settings: ExchangeSettings = { ...base.rebate.exchange, pointsBp: 12345, loveBp: 10000, voucherBp: 333 };
    const config: PluginConfig = { ...base, rebate: { ...base.rebate, exchange: settings } };
    for (const remaining of [0, 1, 99, 100, 1999, 123456789]) {
      for (const to of C.EXCHANGE_TARGETS) {
        const bp = C.exchangeBp(settings, to)!;
        expect(C.exchangeQuantity(remaining, bp)).toBe(mulBpFloor(remaining, bp));
        expect(exchangeAmount(remaining, to, config)).toBe(C.exchangeQuantity(remaining, bp));
      }
    }
    expect(C.exchangeBp({ ...settings, loveBp: null }, 'love')).toBeNull();
  });

  it('fen formatting is one formatter', () => {
    expect(formatYuan).toBe(C.formatFen);
    expect(C.formatFen(21840)).toBe('¥218.40');
    expect(C.formatFen(-5)).toBe('-¥0.05');
    expect(C.formatFen(7)).toBe('¥0.07');
    expect(C.formatFen(Number.NaN)).toBe('¥--');
  });

  it('docs/API.md lists the same members', () => {
    const doc = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
    const listed = (re: RegExp) => doc.match(re)?.[1]?.split('|');
    expect(listed(/Order view: `\{ orderId, kind: ([a-z|]+),/)).toEqual([...C.ORDER_KINDS]);
    expect(listed(/Order view: `\{.*?, status: ([a-z|]+),/)).toEqual([...C.ORDER_STATUSES]);
    expect(listed(/shipping: \{ method: ([a-z|]+),/)).toEqual([...C.DELIVERY_METHODS]);
    const errors = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('## Images'));
    expect([...errors.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1])).toEqual([...C.ERROR_CODE_LIST]);
    expect(listed(/\| `exchange` \| `entryId`, `to: ([a-z\\|]+)`/)?.map((x) => x.replace(/\\$/, ''))).toEqual([...C.EXCHANGE_TARGETS]);
  });
});
