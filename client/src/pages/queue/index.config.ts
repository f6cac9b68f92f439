export default definePageConfig({
  navigationBarTitleText: '排队',
  enablePullDownRefresh: true,
})
