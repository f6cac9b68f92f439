export default definePageConfig({ navigationBarTitleText: '商城订单', enablePullDownRefresh: true })
