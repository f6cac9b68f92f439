export default definePageConfig({ navigationBarTitleText: '插件设置' })
