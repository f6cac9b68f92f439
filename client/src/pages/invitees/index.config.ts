export default definePageConfig({ navigationBarTitleText: '我邀请的好友', enablePullDownRefresh: true })
