import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { toast } from '@/lib/session'
import { formatBp, formatFen } from '@/lib/format'
import { parseCount, parsePercentToBp, parseYuanToFen } from '@/lib/money'
import type { ProductAdmin } from '@/lib/types'
import { Button, Field, Row, Tag } from './ui'

export interface ProductInput {
  name: string
  priceFen: number
  costFen: number
  stock: number
  maxDeductBp: number
  lockDays: number | null
}

/** Product editor shared by 门店商品 (merchant) and 平台商品 (admin); the page decides which action saves. */
export function ProductEditor({ onSave }: { onSave: (p: ProductInput) => Promise<boolean> }) {
  const [name, setName] = useState('')
  const [price, setPrice] = useState('')
  const [cost, setCost] = useState('')
  const [stock, setStock] = useState('100')
  const [deduct, setDeduct] = useState('0')
  const [lock, setLock] = useState('')
  const save = async () => {
    const priceFen = parseYuanToFen(price)
    const costFen = parseYuanToFen(cost || '0')
    const st = parseCount(stock)
    const md = parsePercentToBp(deduct || '0')
    const ld = lock.trim() ? parseCount(lock) : null
    if (!name.trim()) return toast('请填写商品名称')
    if (!priceFen) return toast('请填写正确的售价')
    if (costFen === null || st === null || md === null || (lock.trim() && ld === null)) return toast('请检查成本、库存、抵扣比例和锁定天数')
    if (await onSave({ name: name.trim(), priceFen, costFen, stock: st, maxDeductBp: md, lockDays: ld })) {
      setName('')
      setPrice('')
      setCost('')
    }
  }
  return (
    <View className='card'>
      <Text className='card-head__title'>上架新商品</Text>
      <Field label='名称' value={name} onInput={setName} testId='product-name' />
      <Field label='售价(元)' value={price} onInput={setPrice} type='digit' testId='product-price-input' />
      <Field label='成本(元)' value={cost} onInput={setCost} type='digit' testId='product-cost' />
      <Field label='库存' value={stock} onInput={setStock} type='number' />
      <Field label='最多抵扣' value={deduct} onInput={setDeduct} type='digit' suffix='%' testId='product-deduct' />
      <Field label='工会锁定天数' value={lock} onInput={setLock} type='number' placeholder='15、30…300，留空用默认' />
      <Button onClick={save} testId='product-save'>
        上架
      </Button>
    </View>
  )
}

export function ProductList({ products, onSettings }: { products: ProductAdmin[]; onSettings: (p: ProductAdmin) => void }) {
  return (
    <>
      {products.map((p) => (
        <View className='card' key={p.productId} data-testid='admin-product'>
          <View className='card-head'>
            <Text className='card-head__title'>{p.name}</Text>
            <Tag type={p.listed ? 'green' : 'grey'}>{p.listed ? '在售' : '已下架'}</Tag>
          </View>
          <Row label='售价 / 成本'>
            {formatFen(p.priceFen)} / {formatFen(p.costFen)}
          </Row>
          <Row label='库存 / 已售'>
            {p.stock} / {p.sold}
          </Row>
          <Row label='最多抵扣'>{formatBp(p.maxDeductBp)}</Row>
          <Row label='排队返利'>{p.rebate.enabled ? '参与' : '不参与'}</Row>
          <View className='actions'>
            <Button size='mini' type='default' onClick={() => onSettings(p)}>
              排队设置
            </Button>
          </View>
        </View>
      ))}
    </>
  )
}

