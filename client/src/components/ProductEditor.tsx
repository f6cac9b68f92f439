import { MAX_PRODUCT_IMAGES } from '../../../shared/contract'
import { useState } from 'react'
import { View, Text, Textarea } from '@tarojs/components'
import { toast } from '@/lib/session'
import { formatBp, formatFen } from '@/lib/format'
import { bpToPercentText, fenToYuanText, parseCount, parsePercentToBp, parseYuanToFen } from '@/lib/money'
import type { Category, ProductAdmin } from '@/lib/types'
import ImagesField from './ImagesField'
import ProductImage from './ProductImage'
import { Button, Field, Row, Segmented, Tag } from './ui'

export interface ProductInput {
  productId?: string
  name: string
  description: string
  images: string[]
  categoryId: string | null
  priceFen: number
  costFen: number
  stock: number
  maxDeductBp: number
  lockDays: number | null
}

export { MAX_PRODUCT_IMAGES }

/**
 * Product editor shared by 门店商品 (merchant) and 平台商品 (admin): new products, or an existing
 * one's name, pictures, description, category, price, stock and deduction cap (its queue settings
 * have their own page). The page decides which action saves.
 */
export function ProductEditor({
  initial,
  categories,
  onSave,
  onCancel,
}: {
  initial?: ProductAdmin | null
  categories: Category[]
  onSave: (p: ProductInput) => Promise<boolean>
  onCancel?: () => void
}) {
  const [name, setName] = useState(initial?.name ?? '')
  const [description, setDescription] = useState(initial?.description ?? '')
  const [images, setImages] = useState<string[]>(initial?.images ?? (initial?.imageUrl ? [initial.imageUrl] : []))
  const [categoryId, setCategoryId] = useState(initial?.categoryId ?? '')
  const [price, setPrice] = useState(initial ? fenToYuanText(initial.priceFen) : '')
  const [cost, setCost] = useState(initial ? fenToYuanText(initial.costFen) : '')
  const [stock, setStock] = useState(initial ? String(initial.stock) : '100')
  const [deduct, setDeduct] = useState(initial ? bpToPercentText(initial.maxDeductBp) : '0')
  const [lock, setLock] = useState(initial?.lockDaysSetting ? String(initial.lockDaysSetting) : '')
  const save = async () => {
    const priceFen = parseYuanToFen(price)
    const costFen = parseYuanToFen(cost || '0')
    const st = parseCount(stock)
    const md = parsePercentToBp(deduct || '0')
    const ld = lock.trim() ? parseCount(lock) : null
    if (!name.trim()) return toast('请填写商品名称')
    if (!priceFen) return toast('请填写正确的售价')
    if (costFen === null || st === null || md === null || (lock.trim() && ld === null)) return toast('请检查成本、库存、抵扣比例和锁定天数')
    if (md > 10000) return toast('最多抵扣不能超过 100%')
    const input: ProductInput = { name: name.trim(), description: description.trim(), images, categoryId: categoryId || null, priceFen, costFen, stock: st, maxDeductBp: md, lockDays: ld }
    if (initial) input.productId = initial.productId
    if (await onSave(input)) {
      if (!initial) {
        setName('')
        setDescription('')
        setImages([])
        setPrice('')
        setCost('')
      }
    }
  }
  const listed = categories.filter((c) => c.listed || c.categoryId === categoryId)
  return (
    <View className='card' data-testid='product-editor'>
      <Text className='card-head__title'>{initial ? `编辑商品：${initial.name}` : '上架新商品'}</Text>
      <Field label='名称' value={name} onInput={setName} placeholder='如：五常有机大米 5kg' testId='product-name' />
      <ImagesField value={images} onChange={setImages} max={MAX_PRODUCT_IMAGES} label='商品图片' />
      <View className='field field--column'>
        <Text className='field__label'>商品描述</Text>
        <Textarea
          className='editor-textarea'
          value={description}
          maxlength={1000}
          placeholder='产地、规格、保质期、发货说明等（最多 1000 字）'
          onInput={(e) => setDescription(e.detail.value)}
          data-testid='product-description-input'
        />
      </View>
      {listed.length ? (
        <Segmented label='分类' value={categoryId} options={[{ value: '', label: '不分类' }, ...listed.map((c) => ({ value: c.categoryId, label: c.name }))]} onChange={setCategoryId} />
      ) : (
        <Text className='muted small block'>平台还没有设置商品分类</Text>
      )}
      <Field label='售价(元)' value={price} onInput={setPrice} type='digit' placeholder='如 68.00' testId='product-price-input' />
      <Field label='成本(元)' value={cost} onInput={setCost} type='digit' placeholder='用于计算利润，不对顾客展示' testId='product-cost' />
      <Field label='库存' value={stock} onInput={setStock} type='number' placeholder='件数' suffix='件' />
      <Field label='最多抵扣' value={deduct} onInput={setDeduct} type='digit' placeholder='积分/爱心值/购物券可抵扣的比例，0 为不可抵扣' suffix='%' testId='product-deduct' />
      <Field label='工会锁定天数' value={lock} onInput={setLock} type='number' placeholder='15、30…300，留空用默认' suffix='天' />
      <Button onClick={save} testId='product-save'>
        {initial ? '保存修改' : '上架'}
      </Button>
      {onCancel ? (
        <Button type='default' onClick={onCancel}>
          取消
        </Button>
      ) : null}
    </View>
  )
}

export function ProductList({ products, onSettings, onEdit }: { products: ProductAdmin[]; onSettings: (p: ProductAdmin) => void; onEdit?: (p: ProductAdmin) => void }) {
  return (
    <>
      {products.map((p) => (
        <View className='card' key={p.productId} data-testid='admin-product'>
          <View className='product-row'>
            <ProductImage src={p.imageUrl} name={p.name} className='product-row__img' />
            <View className='product-row__main'>
              <View className='card-head'>
                <Text className='card-head__title'>{p.name}</Text>
                <Tag type={p.listed ? 'green' : 'grey'}>{p.listed ? '在售' : '已下架'}</Tag>
              </View>
              <Text className='muted small'>{p.images?.length ? `${p.images.length} 张图片` : '还没有图片'}</Text>
            </View>
          </View>
          <Row label='售价 / 成本'>
            {formatFen(p.priceFen)} / {formatFen(p.costFen)}
          </Row>
          <Row label='库存 / 已售'>
            {p.stock} 件 / {p.sold} 件
          </Row>
          <Row label='最多抵扣'>{formatBp(p.maxDeductBp)}</Row>
          <Row label='排队返利'>{p.rebate.enabled ? '参与' : '不参与'}</Row>
          <View className='actions'>
            {onEdit ? (
              <Button size='mini' type='default' onClick={() => onEdit(p)} testId='product-edit'>
                编辑
              </Button>
            ) : null}
            <Button size='mini' type='default' onClick={() => onSettings(p)}>
              排队设置
            </Button>
          </View>
        </View>
      ))}
    </>
  )
}
