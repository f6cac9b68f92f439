import { SellerOrders } from '@/components/SellerOrders'

/** 商城订单: the platform ships mall orders and decides their refund requests (store orders are their merchants'). */
export default function AdminOrdersPage() {
  return <SellerOrders scope='admin' />
}
