/**
 * Shapes of the cloud functions' answers, by the names the pages use. None is kept by hand: each
 * is the `data` of an action as the server's own code types it (server/src/functions/api.ts:
 * the action's result once JSON, instants as ISO strings), or a view of shared/views.ts that the
 * server's view builders declare as their return types. A field the server stops producing fails
 * to compile where the client reads it. Amounts in fen, ratios in bp.
 */
import type { ApiData } from './api'
import type { AfterSaleView, BalancesView, Delivery, DeliveryAddress, EntryView, ExchangeSettings, GreenStateView, LotteryOdds, MyEntriesView, OrderView, WithdrawalView } from '../../../shared/views'

/** Enumerations shared with the server: shared/contract.ts is their one source. */
export type { DeliveryMethod, EntryStatus, ExchangeTarget, MessageKind, OrderKind, OrderStatus, WithdrawalMethod, WithdrawalStatus } from '../../../shared/contract'

/** user.me / user.login / user.updateProfile */
export type Me = ApiData<'user', 'me'>

/** A product as shoppers see it (mall.getProducts, mall.listProducts) */
export type Product = ApiData<'mall', 'getProducts'>[number]

/** A product with its settings, for admins and store owners (admin.listProducts, merchant.listStoreProducts) */
export type ProductAdmin = ApiData<'admin', 'listProducts'>[number]

/** mall.getProduct */
export type ProductDetail = ApiData<'mall', 'getProduct'>

/** mall.listProducts */
export type ProductPage = ApiData<'mall', 'listProducts'>

/** mall.listCategories / admin.listCategories */
export type Category = ApiData<'admin', 'listCategories'>[number]

/** admin.getBanners / admin.setBanners; mall.home's banners */
export type BannerSlide = ApiData<'admin', 'getBanners'>[number]
export type BannerLink = BannerSlide['link']

/** mall.home */
export type MallHome = ApiData<'mall', 'home'>

/** mall.getStore */
export type PublicStore = ApiData<'mall', 'getStore'>

/** user.invitees */
export type Invitees = ApiData<'user', 'invitees'>

/** An order as the buyer, the store and the admins see it (server: orderView; the buyer's order.get / order.list add refundRequestUntil). */
export interface Order extends OrderView {
  /** buyer's views: until when a completed order may still get a refund request (null: no longer / not completed) */
  refundRequestUntil?: string | null
}

export type { Delivery, DeliveryAddress }

export type AfterSale = AfterSaleView

/** server: myEntries' entries */
export type Entry = EntryView

export type { ExchangeSettings, LotteryOdds }


/** server: myEntries (queue.mine) */
export type MyEntries = MyEntriesView

/** union.mine */
export type MyUnion = ApiData<'union', 'mine'>
export type UnionEntry = MyUnion['entries'][number]

/** server: greenView */
export type GreenState = GreenStateView

/** green.mine */
export type MyGreen = ApiData<'green', 'mine'>

/** server: wallet balances */
export type Balances = BalancesView

/** wallet.ledger */
export type LedgerRow = ApiData<'wallet', 'ledger'>[number]

/** server: withdrawalView; admin.listWithdrawals adds whom it pays — the requester's nickname, and the store's name for a store's withdrawal */
export type Withdrawal = WithdrawalView & Partial<Omit<ApiData<'admin', 'listWithdrawals'>[number], keyof WithdrawalView>>

/** admin.refunds; merchant.revenue's refunds */
export type Refund = ApiData<'admin', 'refunds'>[number]

/** merchant.revenue */
export type StoreRevenue = ApiData<'merchant', 'revenue'>

/** admin.outbox's messages */
export type OutboxMessage = ApiData<'admin', 'outbox'>['messages'][number]

/** admin.reconciliations */
export type Reconciliation = ApiData<'admin', 'reconciliations'>[number]
export type ReconcileDifference = Reconciliation['differences'][number]

/** admin.anomalies */
export type PaymentAnomaly = ApiData<'admin', 'anomalies'>[number]

/** merchant.myStores / admin.listStores */
export type Store = ApiData<'merchant', 'myStores'>[number]

/** merchant.listCashiers / merchant.createCashier */
export type Cashier = ApiData<'merchant', 'listCashiers'>[number]

/** mall.getCashier */
export type CashierInfo = ApiData<'mall', 'getCashier'>

/** merchant.dashboard */
export type MerchantDashboard = ApiData<'merchant', 'dashboard'>

/** admin.dashboard */
export type LiabilityDashboard = ApiData<'admin', 'dashboard'>

/** admin.getConfig / admin.setConfig: the plugin configuration */
export type PluginConfig = ApiData<'admin', 'getConfig'>
export type MemberLevel = PluginConfig['memberLevels'][number]
export type LotteryRule = NonNullable<PluginConfig['rebate']['lottery']>

/** A store's, cashier's or product's queue-rebate settings */
export type RebateRules = Store['rebate']
export type CumulativeTier = NonNullable<RebateRules['tiers']>[number]

/** admin.simulateConfig */
export type SimulationAnswer = ApiData<'admin', 'simulateConfig'>

/** admin.verifyLedger: one step */
export type VerifyStep = ApiData<'admin', 'verifyLedger'>

/** order.pay */
export type PayAnswer = ApiData<'order', 'pay'>

/** user.subscriptions / user.subscribe */
export type Subscriptions = ApiData<'user', 'subscriptions'>
export type SubscriptionKind = Subscriptions['kinds'][number]
