import { useState } from 'react'
import { View, Text, Picker } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { ApiError, call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import {
  ALL_NUM_FIELDS,
  MONTH_DAYS,
  OTHER_NUM_FIELDS,
  REBATE_NUM_FIELDS,
  TOPICS,
  WEEKDAYS,
  applyTexts,
  getPath,
  setPath,
  shanghaiIso,
  shanghaiParts,
  textsOf,
  topicOf,
  type ConfigTexts,
  type NumField,
  type TopicKey,
} from '@/lib/configForm'
import type { PluginConfig } from '@/lib/types'
import { useRemote } from '@/lib/useRemote'
import { Button, Field, Segmented, StateView, Toggle } from '@/components/ui'
import SimulationPanel from './sim/SimulationPanel'
import { growthWarning } from './sim/logic'
import type { SimulationAnswer } from './sim/types'
import './config.css'

const DISPLAY: [keyof PluginConfig['rebate']['display'], string][] = [
  ['queueId', '显示队列编号'],
  ['progress', '显示进度'],
  ['received', '显示累计到账'],
  ['pending', '显示待返'],
  ['member', '显示会员头像昵称'],
  ['pendingAmount', '显示待返总额'],
]

/** A picker row that looks like a Field: label, the picked value (or a placeholder), an arrow. */
function PickerRow({ label, text, placeholder, testId }: { label: string; text: string; placeholder: string; testId?: string }) {
  return (
    <View className='field' data-testid={testId}>
      <Text className='field__label'>{label}</Text>
      <Text className={`cfg-picker__value${text ? '' : ' cfg-picker__value--empty'}`}>{text || placeholder}</Text>
      <Text className='list-item__arrow'>›</Text>
    </View>
  )
}

/**
 * 插件设置: every §3.4 setting plus union / green / referral, one topic at a time (the bar at the top);
 * 模拟 and 保存 work on the whole configuration. A field that cannot be read switches to its topic;
 * the compliance guard's message is shown as is.
 */
export default function AdminConfigPage() {
  const [cfg, setCfg] = useState<PluginConfig>()
  const [texts, setTexts] = useState<ConfigTexts>({})
  const [guard, setGuard] = useState<string | null>(null)
  const [topic, setTopic] = useState<TopicKey>('rebate')
  const remote = useRemote(async () => {
    const c = await call('admin', 'getConfig')
    setCfg(c)
    setTexts(textsOf(c))
    return c
  })

  const b = (path: string) => !!getPath(cfg, path)
  const setB = (path: string) => (v: boolean) => setCfg((c) => (c ? setPath(c, path, v) : c))
  const setV = (path: string, v: unknown) => setCfg((c) => (c ? setPath(c, path, v) : c))
  const num = (f: NumField) => (
    <Field
      key={f.path}
      label={f.label}
      value={texts[f.path] ?? ''}
      onInput={(v) => setTexts((t) => ({ ...t, [f.path]: v }))}
      type={f.kind === 'int' ? 'number' : 'digit'}
      suffix={f.kind === 'bp' || f.kind === 'bpOptional' ? '%' : f.kind === 'fen' ? '元' : undefined}
      placeholder={f.hint}
      testId={`cfg-${f.path}`}
    />
  )
  const byPath = (p: string) => num(ALL_NUM_FIELDS.find((f) => f.path === p)!)
  const once = shanghaiParts(cfg?.rebate.reset.onceAt)

  const [sim, setSim] = useState<{ key: string; answer: SimulationAnswer } | null>(null)
  const [simDays, setSimDays] = useState(30)

  /** The form as a configuration, or null (the unreadable field is shown). */
  const draft = (): PluginConfig | null => {
    if (!cfg) return null
    const r = applyTexts(cfg, texts)
    if ('error' in r) {
      // the unreadable field may be on another topic: show it there, naming the topic and the field
      const where = topicOf(r.path)
      setTopic(where)
      setGuard(where === topic ? r.error : `${TOPICS.find((t) => t.key === where)!.title}：${r.error}`)
      toast(r.error)
      return null
    }
    return r.config
  }

  /**
   * Replay the recent orders under `config` (and the settings in force), reusing the last answer
   * for the same settings; a setting the compliance guard refuses is shown like a refused save.
   */
  const simulate = async (config: PluginConfig, days: number, title: string): Promise<SimulationAnswer | null> => {
    const key = `${days}|${JSON.stringify(config)}`
    if (sim?.key === key) return sim.answer
    void Taro.showLoading({ title, mask: true }).catch(() => undefined)
    try {
      const answer = await call('admin', 'simulateConfig', { config, days })
      setSim({ key, answer })
      setGuard(null)
      return answer
    } catch (err) {
      const m = err instanceof ApiError ? err.message : '模拟失败'
      if (err instanceof ApiError && err.code === 'CONFIG_INVALID') setGuard(m)
      toast(m)
      throw err
    } finally {
      void Promise.resolve(Taro.hideLoading()).catch(() => undefined)
    }
  }

  const runSimulation = async (days = simDays) => {
    const config = draft()
    if (config) await simulate(config, days, '模拟中').catch(() => undefined)
  }

  const save = async () => {
    const config = draft()
    if (!config) return
    // before saving: would what is owed grow without bound? then the operator confirms, told the effect
    let answer: SimulationAnswer | null = null
    try {
      answer = await simulate(config, simDays, '检查中')
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CONFIG_INVALID') return
      const go = await Taro.showModal({ title: '未能完成模拟', content: '无法检查此设置的长期影响。仍要保存吗？', confirmText: '仍要保存', cancelText: '取消' })
      if (!go.confirm) return
    }
    const warning = answer ? growthWarning(answer) : null
    if (warning) {
      const go = await Taro.showModal({ title: warning.title, content: warning.content, confirmText: '仍要保存', cancelText: '再想想', confirmColor: '#fa5151' })
      if (!go.confirm) return
    }
    try {
      const saved = await call('admin', 'setConfig', { config })
      setCfg(saved)
      setTexts(textsOf(saved))
      setGuard(null)
      toast('设置已保存', 'success')
    } catch (err) {
      const m = err instanceof ApiError ? err.message : '保存失败'
      setGuard(m)
      toast(m)
    }
  }

  const enableAll = async () => {
    const r = await runAction('处理中', () => call('admin', 'enableRebateForAll'))
    if (r) toast(`已为 ${r.updated} 个商品开启`, 'none')
  }

  return (
    <View className='page'>
      <StateView loading={remote.loading && !cfg} error={remote.error} onRetry={remote.reload}>
        {cfg ? (
          <>
            <View className='cfg-topics' data-testid='cfg-topics'>
              {TOPICS.map((t) => (
                <Text
                  key={t.key}
                  className={`cfg-topics__item${t.key === topic ? ' cfg-topics__item--on' : ''}`}
                  data-testid={`cfg-topic-${t.key}`}
                  data-on={t.key === topic ? '1' : '0'}
                  onClick={() => setTopic(t.key)}
                >
                  {t.title}
                </Text>
              ))}
            </View>
            {guard ? (
              <View className='card state--error' data-testid='config-guard'>
                <Text className='state__text'>{guard}</Text>
              </View>
            ) : null}
            {topic === 'rebate' ? (
              <>
                <View className='card'>
                  <Text className='card-head__title'>排队返利 · 基础设置</Text>
                  <Toggle label='开启排队返利' value={b('rebate.enabled')} onChange={setB('rebate.enabled')} testId='cfg-rebate.enabled' />
                  <Field label='自定义名称' value={cfg.rebate.name} onInput={(v) => setV('rebate.name', v)} />
                  <Field label='兑换按钮名称' value={cfg.rebate.exchangeName} onInput={(v) => setV('rebate.exchangeName', v)} testId='cfg-rebate.exchangeName' />
                  <Toggle label='新商品默认参与' value={b('rebate.newProductsDefaultOn')} onChange={setB('rebate.newProductsDefaultOn')} />
                  <View className='actions'>
                    <Button size='mini' type='default' onClick={enableAll}>
                      一键开启全部商品
                    </Button>
                  </View>
                  <Segmented
                    label='使用积分/爱心值抵扣的订单'
                    value={cfg.rebate.deductionMode}
                    options={[
                      { value: 'join', label: '正常加入排队' },
                      { value: 'extractOnly', label: '只提取不入队' },
                    ]}
                    onChange={(v) => setV('rebate.deductionMode', v)}
                  />
                  <Segmented
                    label='结算时机'
                    value={cfg.rebate.settleOn}
                    options={[
                      { value: 'complete', label: '确认收货后' },
                      { value: 'pay', label: '支付后' },
                    ]}
                    onChange={(v) => setV('rebate.settleOn', v)}
                  />
                  <Segmented
                    label='返利顺序'
                    value={cfg.rebate.ordering}
                    options={[
                      { value: 'queue', label: '按排队顺序' },
                      { value: 'completedFirst', label: '已完成订单优先' },
                    ]}
                    onChange={(v) => setV('rebate.ordering', v)}
                  />
                  {byPath('rebate.extractionBp')}
                  {byPath('rebate.defaultRatioBp')}
                  <Field label='会员等级比例' value={texts['rebate.levelRatios'] ?? ''} onInput={(v) => setTexts((t) => ({ ...t, 'rebate.levelRatios': v }))} placeholder='L1:150, L2:200' />
                  <Field label='抽奖' value={texts['rebate.lottery'] ?? ''} onInput={(v) => setTexts((t) => ({ ...t, 'rebate.lottery': v }))} placeholder='120:2, 150:1 或 110-160，留空=关闭' testId='cfg-rebate.lottery' />
                </View>
                <View className='card'>
                  <Text className='card-head__title'>兑换</Text>
                  {REBATE_NUM_FIELDS.filter((f) => f.path.startsWith('rebate.exchange')).map(num)}
                  <Toggle label='爱心值兑换后冻结' value={b('rebate.exchange.loveFrozen')} onChange={setB('rebate.exchange.loveFrozen')} />
                </View>
                <View className='card'>
                  <Text className='card-head__title'>队列</Text>
                  <Toggle label='商家队列（自营+供应商共用一个队列）' value={b('rebate.mallQueue')} onChange={setB('rebate.mallQueue')} />
                  <Toggle label='所有门店队列' value={b('rebate.allStoresQueue')} onChange={setB('rebate.allStoresQueue')} />
                  <Toggle label='所有收银台队列' value={b('rebate.allCashiersQueue')} onChange={setB('rebate.allCashiersQueue')} />
                  <Toggle label='随机返' value={b('rebate.randomReturn.enabled')} onChange={setB('rebate.randomReturn.enabled')} />
                  {byPath('rebate.randomReturn.cashCount')}
                  {byPath('rebate.randomReturn.pointsCount')}
                  <Toggle label='队列奖励暂停' value={b('rebate.paused')} onChange={setB('rebate.paused')} testId='cfg-rebate.paused' />
                </View>
                <View className='card'>
                  <Text className='card-head__title'>队列奖励清零</Text>
                  <Toggle label='开启清零' value={b('rebate.reset.enabled')} onChange={setB('rebate.reset.enabled')} />
                  <Segmented
                    label='周期'
                    value={cfg.rebate.reset.schedule}
                    options={[
                      { value: 'daily', label: '每天' },
                      { value: 'weekly', label: '每周' },
                      { value: 'monthly', label: '每月' },
                      { value: 'once', label: '指定时间' },
                    ]}
                    onChange={(v) => setV('rebate.reset.schedule', v)}
                  />
                  {cfg.rebate.reset.schedule !== 'once' ? (
                    <Picker mode='time' value={cfg.rebate.reset.time || '00:00'} onChange={(e) => setV('rebate.reset.time', String(e.detail.value))} data-testid='cfg-rebate.reset.time-picker'>
                      <PickerRow label='时间' text={cfg.rebate.reset.time} placeholder='选择时间' testId='cfg-rebate.reset.time' />
                    </Picker>
                  ) : null}
                  {cfg.rebate.reset.schedule === 'weekly' ? (
                    <Picker mode='selector' range={WEEKDAYS} value={Math.min(6, Math.max(0, cfg.rebate.reset.weekday - 1))} onChange={(e) => setV('rebate.reset.weekday', Number(e.detail.value) + 1)} data-testid='cfg-rebate.reset.weekday-picker'>
                      <PickerRow label='每周' text={WEEKDAYS[cfg.rebate.reset.weekday - 1] ?? ''} placeholder='选择星期' testId='cfg-rebate.reset.weekday' />
                    </Picker>
                  ) : null}
                  {cfg.rebate.reset.schedule === 'monthly' ? (
                    <Picker mode='selector' range={MONTH_DAYS} value={Math.min(27, Math.max(0, cfg.rebate.reset.monthDay - 1))} onChange={(e) => setV('rebate.reset.monthDay', Number(e.detail.value) + 1)} data-testid='cfg-rebate.reset.monthDay-picker'>
                      <PickerRow label='每月' text={MONTH_DAYS[cfg.rebate.reset.monthDay - 1] ?? ''} placeholder='选择日期' testId='cfg-rebate.reset.monthDay' />
                    </Picker>
                  ) : null}
                  {cfg.rebate.reset.schedule === 'once' ? (
                    <>
                      <Picker mode='date' value={once.date || shanghaiParts(new Date().toISOString()).date} onChange={(e) => setV('rebate.reset.onceAt', shanghaiIso(String(e.detail.value), once.time))} data-testid='cfg-rebate.reset.onceAt-date-picker'>
                        <PickerRow label='日期' text={once.date} placeholder='选择日期' testId='cfg-rebate.reset.onceAt-date' />
                      </Picker>
                      <Picker mode='time' value={once.time || '00:00'} onChange={(e) => setV('rebate.reset.onceAt', shanghaiIso(once.date, String(e.detail.value)))} data-testid='cfg-rebate.reset.onceAt-time-picker'>
                        <PickerRow label='时间' text={once.time} placeholder='选择时间' testId='cfg-rebate.reset.onceAt-time' />
                      </Picker>
                      <Text className='muted small block' data-testid='cfg-rebate.reset.onceAt'>
                        {cfg.rebate.reset.onceAt ? `北京时间 ${once.date} ${once.time} 清零一次` : '未指定时间'}
                        {cfg.rebate.reset.onceAt ? (
                          <Text className='cfg-picker__clear' onClick={() => setV('rebate.reset.onceAt', null)}>
                            清除
                          </Text>
                        ) : null}
                      </Text>
                    </>
                  ) : null}
                </View>
                <View className='card'>
                  <Text className='card-head__title'>前端显示</Text>
                  {DISPLAY.map(([k, label]) => (
                    <Toggle key={k} label={label} value={cfg.rebate.display[k]} onChange={setB(`rebate.display.${k}`)} />
                  ))}
                </View>
              </>
            ) : null}
            {OTHER_NUM_FIELDS.filter((s) => s.topic === topic).map((s) => (
              <View className='card' key={s.title}>
                <Text className='card-head__title'>{s.title}</Text>
                {s.enabledPath ? <Toggle label={`开启${s.title}`} value={b(s.enabledPath)} onChange={setB(s.enabledPath)} testId={`cfg-${s.enabledPath}`} /> : null}
                {s.fields.map(num)}
              </View>
            ))}
            {guard ? (
              <View className='card state--error'>
                <Text className='state__text'>{guard}</Text>
              </View>
            ) : null}
            {sim ? (
              <SimulationPanel
                sim={sim.answer}
                days={simDays}
                onDays={(d) => {
                  setSimDays(d)
                  void runSimulation(d)
                }}
              />
            ) : null}
            <Button type='default' onClick={() => void runSimulation()} testId='config-simulate'>
              模拟（用近期订单重放当前填写的设置）
            </Button>
            <Button onClick={save} testId='config-save'>
              保存设置
            </Button>
            <Text className='muted small block'>保存前由合规检查校验：各方从一笔订单中提取的总和不能超过实付金额，推荐只有一级。保存前还会重放近期订单：若待返会无限增长，需要再次确认。</Text>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
