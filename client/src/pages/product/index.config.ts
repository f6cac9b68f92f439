export default definePageConfig({
  navigationBarTitleText: '商品详情',
  // share cards: to a chat (转发) and to 朋友圈 (single-page mode opens this page with the same query)
  enableShareAppMessage: true,
  enableShareTimeline: true,
})
