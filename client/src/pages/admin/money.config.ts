export default definePageConfig({ navigationBarTitleText: '退款、外发与对账', enablePullDownRefresh: true })
