export default definePageConfig({
  navigationBarTitleText: '绿色积分',
  enablePullDownRefresh: true,
})
