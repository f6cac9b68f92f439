export default definePageConfig({
  navigationBarTitleText: '门店',
  enablePullDownRefresh: true,
  // share cards: to a chat (转发) and to 朋友圈
  enableShareAppMessage: true,
  enableShareTimeline: true,
})
