export default definePageConfig({ navigationBarTitleText: '平台商品' })
