import { useState } from 'react'
import Taro, { useLoad } from '@tarojs/taro'
import { SellerOrders } from '@/components/SellerOrders'

/** 门店订单: the store's owner ships its store-product orders and decides refund requests of its orders (cashier ones too). */
export default function MerchantOrdersPage() {
  const [storeId, setStoreId] = useState(() => Taro.getCurrentInstance().router?.params?.storeId ?? '')
  useLoad((o: Record<string, string | undefined>) => setStoreId(o?.storeId ?? ''))
  return storeId ? <SellerOrders scope='merchant' storeId={storeId} key={storeId} /> : null
}
