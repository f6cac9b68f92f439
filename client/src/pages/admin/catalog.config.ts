export default definePageConfig({ navigationBarTitleText: '分类与首页横幅' })
