import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { bpToPercentText, parseCount, parsePercentToBp } from '@/lib/money'
import { levelRatiosToText, lotteryToText, parseLevelRatios, parseLottery, parseTiers, tiersToText } from '@/lib/rules'
import type { RebateRules } from '@/lib/types'
import { Button, Field, Toggle } from './ui'

export interface RebateRulesFormProps {
  value: RebateRules
  /** Stores and cashiers may switch random return on/off for their queue. */
  allowRandomReturn?: boolean
  submitText?: string
  onSubmit: (rules: RebateRules) => void
  onInvalid?: (message: string) => void
}

const optBp = (t: string) => (t.trim() ? parsePercentToBp(t) : null)
const optCount = (t: string) => (t.trim() ? parseCount(t) : null)

/** Queue-rebate settings of a product / store / cashier (SPEC §3.5); empty = use the next rule in the chain. */
export default function RebateRulesForm({ value, allowRandomReturn, submitText = '保存设置', onSubmit, onInvalid }: RebateRulesFormProps) {
  const [enabled, setEnabled] = useState(value.enabled)
  const [extraction, setExtraction] = useState(bpToPercentText(value.extractionBp))
  const [ratio, setRatio] = useState(bpToPercentText(value.ratioBp))
  const [lottery, setLottery] = useState(lotteryToText(value.lottery))
  const [tiers, setTiers] = useState(tiersToText(value.tiers))
  const [levels, setLevels] = useState(levelRatiosToText(value.levelRatios))
  const [perDay, setPerDay] = useState(value.limits?.perDay != null ? String(value.limits.perDay) : '')
  const [total, setTotal] = useState(value.limits?.total != null ? String(value.limits.total) : '')
  const [dailyStart, setDailyStart] = useState(value.window?.dailyStart ?? '')
  const [dailyEnd, setDailyEnd] = useState(value.window?.dailyEnd ?? '')
  const [rrOn, setRrOn] = useState(value.randomReturn?.enabled ?? false)
  const [rrCash, setRrCash] = useState(String(value.randomReturn?.cashCount ?? 1))
  const [rrPoints, setRrPoints] = useState(String(value.randomReturn?.pointsCount ?? 2))

  const submit = () => {
    const rules: RebateRules = { enabled }
    const bad = (m: string) => onInvalid?.(m)
    const ex = optBp(extraction)
    if (extraction.trim() && ex === null) return bad('提取比例格式不正确')
    const ra = optBp(ratio)
    if (ratio.trim() && ra === null) return bad('奖励比例格式不正确')
    const lo = parseLottery(lottery)
    if (lo === undefined) return bad('抽奖格式不正确，例：120:2, 150:1 或 110-160')
    const ti = parseTiers(tiers)
    if (ti === undefined) return bad('累计奖励格式不正确，例：30:2000:50')
    const lv = parseLevelRatios(levels)
    if (lv === undefined) return bad('会员等级比例格式不正确，例：L1:150')
    const pd = optCount(perDay)
    const tt = optCount(total)
    if ((perDay.trim() && pd === null) || (total.trim() && tt === null)) return bad('次数限制请填整数')
    rules.extractionBp = ex
    rules.ratioBp = ra
    rules.lottery = lo
    rules.tiers = ti
    rules.levelRatios = lv
    rules.limits = pd !== null || tt !== null ? { perDay: pd, total: tt } : null
    rules.window = dailyStart.trim() || dailyEnd.trim() ? { ...(value.window ?? {}), dailyStart: dailyStart.trim() || null, dailyEnd: dailyEnd.trim() || null } : value.window?.startAt || value.window?.endAt ? { ...value.window, dailyStart: null, dailyEnd: null } : null
    if (allowRandomReturn) {
      const c = parseCount(rrCash)
      const p = parseCount(rrPoints)
      if (c === null || p === null) return bad('随机返人数请填整数')
      rules.randomReturn = { enabled: rrOn, cashCount: c, pointsCount: p }
    }
    onSubmit(rules)
  }

  return (
    <View>
      <Toggle label='参与排队返利' value={enabled} onChange={setEnabled} testId='rules-enabled' />
      <Field label='提取比例' value={extraction} onInput={setExtraction} type='digit' suffix='%' placeholder='留空用平台设置' testId='rules-extraction' />
      <Field label='奖励比例' value={ratio} onInput={setRatio} type='digit' suffix='%' placeholder='留空用上级设置' testId='rules-ratio' />
      <Field label='抽奖' value={lottery} onInput={setLottery} placeholder='120:2, 150:1 或 110-160' testId='rules-lottery' />
      <Field label='累计奖励' value={tiers} onInput={setTiers} placeholder='天数:金额:比例，如 30:2000:50' testId='rules-tiers' />
      <Field label='会员等级比例' value={levels} onInput={setLevels} placeholder='L1:150, L2:200' testId='rules-levels' />
      <Field label='每人每天' value={perDay} onInput={setPerDay} type='number' suffix='次' placeholder='不限' />
      <Field label='每人累计' value={total} onInput={setTotal} type='number' suffix='次' placeholder='不限' />
      <Field label='奖励时段开始' value={dailyStart} onInput={setDailyStart} placeholder='HH:mm，不限留空' />
      <Field label='奖励时段结束' value={dailyEnd} onInput={setDailyEnd} placeholder='HH:mm' />
      {allowRandomReturn ? (
        <>
          <Toggle label='随机返' value={rrOn} onChange={setRrOn} />
          {rrOn ? (
            <>
              <Field label='每组返现金人数' value={rrCash} onInput={setRrCash} type='number' />
              <Field label='每组返积分人数' value={rrPoints} onInput={setRrPoints} type='number' />
            </>
          ) : null}
        </>
      ) : null}
      <Text className='muted small block'>留空的项按优先级使用上一级（门店/平台）的设置。</Text>
      <Button onClick={submit} testId='rules-save'>
        {submitText}
      </Button>
    </View>
  )
}
