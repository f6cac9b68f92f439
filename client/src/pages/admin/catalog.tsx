import { MAX_BANNER_SLIDES as MAX_SLIDES } from '../../../../shared/contract'
import { useState } from 'react'
import { View, Text, Input, Picker } from '@tarojs/components'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import type { BannerLink, BannerSlide, Category } from '@/lib/types'
import ImagesField from '@/components/ImagesField'
import { Button, Field, Segmented, StateView } from '@/components/ui'
import './catalog.css'

type LinkKind = BannerLink['kind']
const LINK_KINDS: { value: LinkKind; label: string }[] = [
  { value: 'none', label: '不跳转' },
  { value: 'product', label: '商品' },
  { value: 'store', label: '门店' },
  { value: 'category', label: '分类' },
]

/** 分类与首页横幅: the operator's shop window — categories (add, rename, order, hide) and the mall's banner. */
export default function AdminCatalogPage() {
  const data = useRemote(async () => {
    const [categories, banners, products, stores] = await Promise.all([
      call('admin', 'listCategories'),
      call('admin', 'getBanners'),
      call('admin', 'listProducts'),
      call('admin', 'listStores', { status: 'approved' }),
    ])
    return { categories, banners, products: products.filter((p) => p.listed), stores }
  })
  const [newName, setNewName] = useState('')
  const [newSort, setNewSort] = useState('')
  const [slides, setSlides] = useState<BannerSlide[] | null>(null)

  const saveCategory = async (input: { categoryId?: string; name: string; sort?: number; listed?: boolean }) => {
    const r = await runAction('保存中', () => call('admin', 'upsertCategory', input))
    if (r) {
      toast('已保存', 'success')
      await data.reload()
    }
    return !!r
  }
  const add = async () => {
    const name = newName.trim()
    if (!name) return toast('请填写分类名称')
    const sort = newSort.trim() ? Number(newSort) : undefined
    if (sort !== undefined && (!Number.isInteger(sort) || sort < 0)) return toast('排序请填写非负整数')
    if (await saveCategory({ name, ...(sort !== undefined ? { sort } : {}) })) {
      setNewName('')
      setNewSort('')
    }
  }
  const rename = async (c: Category, name: string) => {
    if (name.trim() && name.trim() !== c.name) await saveCategory({ categoryId: c.categoryId, name: name.trim() })
  }

  const current = slides ?? data.data?.banners ?? []
  const setSlide = (i: number, patch: Partial<BannerSlide>) => setSlides(current.map((s, j) => (j === i ? { ...s, ...patch } : s)))
  const targets = (kind: LinkKind): { value: string; label: string }[] => {
    const d = data.data
    if (!d) return []
    if (kind === 'product') return d.products.map((p) => ({ value: p.productId, label: p.name }))
    if (kind === 'store') return d.stores.map((s) => ({ value: s.storeId, label: s.name }))
    if (kind === 'category') return d.categories.filter((c) => c.listed).map((c) => ({ value: c.categoryId, label: c.name }))
    return []
  }
  const saveBanners = async () => {
    if (current.some((s) => !s.imageUrl)) return toast('每张横幅都需要一张图片')
    if (current.some((s) => s.link.kind !== 'none' && !('id' in s.link && s.link.id))) return toast('请为横幅选择跳转目标')
    const r = await runAction('保存中', () => call('admin', 'setBanners', { banners: current }))
    if (r) {
      toast('横幅已保存', 'success')
      setSlides(null)
      await data.reload()
    }
  }

  const cats = data.data?.categories ?? []
  return (
    <View className='page'>
      <StateView loading={data.loading && !data.data} error={data.error} onRetry={data.reload}>
        <View className='card' data-testid='categories'>
          <Text className='card-head__title'>商品分类</Text>
          <Text className='muted small block'>顾客在商城按分类浏览；隐藏的分类不再展示，其商品仍可在「全部」中看到。排序数字小的在前。</Text>
          {cats.map((c) => (
            <CategoryRow key={c.categoryId} c={c} onRename={(n) => rename(c, n)} onToggle={(listed) => saveCategory({ categoryId: c.categoryId, name: c.name, listed })} />
          ))}
          <Field label='新分类' value={newName} onInput={setNewName} placeholder='如：粮油、茶饮（最多 12 字）' testId='category-name' />
          <Field label='排序' value={newSort} onInput={setNewSort} type='number' placeholder='留空排在最后' />
          <Button onClick={add} testId='category-add'>
            添加分类
          </Button>
        </View>
        <View className='card' data-testid='banners'>
          <Text className='card-head__title'>首页横幅</Text>
          <Text className='muted small block'>最多 {MAX_SLIDES} 张，显示在商城首页顶部；建议图片宽高比 5:2。横幅只用于展示商品和门店，不要写收益承诺。</Text>
          {current.map((s, i) => (
            <View key={i} className='banner-edit' data-testid='banner-slide'>
              <View className='card-head'>
                <Text>第 {i + 1} 张</Text>
                <Text className='state__text small' onClick={() => setSlides(current.filter((_, j) => j !== i))}>
                  删除
                </Text>
              </View>
              <ImagesField value={s.imageUrl ? [s.imageUrl] : []} onChange={(v) => setSlide(i, { imageUrl: v[0] ?? '' })} max={1} label='横幅图片' hint='JPG/PNG，建议 750×300，不超过 1 MB' />
              <Field label='标题' value={s.title} onInput={(t) => setSlide(i, { title: t })} placeholder='如：新米上市（可留空）' testId={`banner-title-${i}`} />
              <Segmented
                label='点击后'
                value={s.link.kind}
                options={LINK_KINDS}
                onChange={(kind) => setSlide(i, { link: kind === 'none' ? { kind } : { kind, id: targets(kind)[0]?.value ?? '' } })}
              />
              {s.link.kind !== 'none' ? <TargetPicker options={targets(s.link.kind)} value={'id' in s.link ? s.link.id : ''} onChange={(id) => setSlide(i, { link: { kind: s.link.kind as 'product', id } })} /> : null}
            </View>
          ))}
          {current.length < MAX_SLIDES ? (
            <Button type='default' onClick={() => setSlides([...current, { imageUrl: '', title: '', link: { kind: 'none' } }])} testId='banner-add'>
              添加一张横幅
            </Button>
          ) : null}
          <Button onClick={saveBanners} disabled={!slides} testId='banners-save'>
            保存横幅
          </Button>
        </View>
      </StateView>
    </View>
  )
}

function CategoryRow({ c, onRename, onToggle }: { c: Category; onRename: (name: string) => void; onToggle: (listed: boolean) => void }) {
  const [name, setName] = useState(c.name)
  const changed = name.trim() !== c.name
  return (
    <View className='category-row' data-testid='category-row'>
      <Input className='category-row__name' value={name} maxlength={12} onInput={(e) => setName(e.detail.value)} />
      <Text className='muted small category-row__sort'>排序 {c.sort}</Text>
      {changed ? (
        <Text className='category-row__act primary' onClick={() => onRename(name)}>
          保存
        </Text>
      ) : (
        <Text className={`category-row__act${c.listed ? '' : ' muted'}`} onClick={() => onToggle(!c.listed)} data-testid='category-toggle'>
          {c.listed ? '展示中 · 隐藏' : '已隐藏 · 展示'}
        </Text>
      )}
    </View>
  )
}

/** 跳转到: a picker (hundreds of products would not fit as chips). */
function TargetPicker({ options, value, onChange }: { options: { value: string; label: string }[]; value: string; onChange: (id: string) => void }) {
  const index = Math.max(0, options.findIndex((o) => o.value === value))
  if (!options.length) return <Text className='muted small block'>没有可选的目标</Text>
  return (
    <Picker mode='selector' range={options.map((o) => o.label)} value={index} onChange={(e) => onChange(options[Number(e.detail.value)]?.value ?? '')}>
      <View className='field' data-testid='banner-target'>
        <Text className='field__label'>跳转到</Text>
        <Text className='field__input'>{options[index]?.label ?? '请选择'}</Text>
        <Text className='list-item__arrow'>›</Text>
      </View>
    </Picker>
  )
}
