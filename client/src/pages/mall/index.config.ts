export default definePageConfig({
  navigationBarTitleText: '商城',
  enablePullDownRefresh: true,
  // Required in Taro for weapp: without it useShareAppMessage never registers onShareAppMessage
  // and the「转发」menu item stays disabled.
  enableShareAppMessage: true,
})
