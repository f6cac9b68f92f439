/**
 * SPEC §6: before paying and on every queue entry, shoppers read where payouts come from and
 * that nothing is promised. (Never write marketing slogans here or anywhere.)
 */
export const DISCLOSURE_TITLE = '返利说明'
export const DISCLOSURE_TEXT =
  '排队返利只来自后续订单的提取或资金池，到账时间和金额都不确定，平台不承诺任何到账日期或金额。'
export const DISCLOSURE_GREEN =
  '绿色积分价格 = 资金池 ÷ 积分总量，随订单和提现变化；下图为每日收盘价，仅供参考，不代表未来。'
export const DISCLOSURE_UNION =
  '工会排队在锁定期满后由工会资金池按顺序支付，资金池不足时继续等待，不承诺到账日期。'
