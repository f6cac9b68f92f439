export default definePageConfig({ navigationBarTitleText: '营业款与提现', enablePullDownRefresh: true })
