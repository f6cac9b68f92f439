export default defineAppConfig({
  pages: [
    'pages/mall/index',
    'pages/queue/index',
    'pages/green/index',
    'pages/me/index',
    'pages/cashier/index',
    'pages/product/index',
    'pages/checkout/index',
    'pages/orders/index',
    'pages/orders/detail',
    'pages/wallet/index',
    'pages/cart/index',
    'pages/store/index',
    'pages/invitees/index',
  ],
  // Store owners and the platform use these rarely: keep them out of the main package.
  subPackages: [
    { root: 'pages/merchant', pages: ['index', 'cashiers', 'products', 'settings', 'orders', 'revenue'] },
    { root: 'pages/admin', pages: ['index', 'config', 'products', 'stores', 'levels', 'withdrawals', 'catalog', 'money', 'messages', 'orders'] },
  ],
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f5f5f5',
    navigationBarBackgroundColor: '#ededed',
    navigationBarTitleText: '排队返利',
    navigationBarTextStyle: 'black',
    // 'default' is weapp's default anyway; stating it makes Taro's h5 router draw the
    // WeChat-like navigation bar (title + back button on non-tab pages).
    navigationStyle: 'default',
  },
  tabBar: {
    color: '#999999',
    selectedColor: '#07c160',
    backgroundColor: '#f7f7f7',
    borderStyle: 'black',
    list: [
      {
        pagePath: 'pages/mall/index',
        text: '商城',
        iconPath: 'assets/tabbar/mall.png',
        selectedIconPath: 'assets/tabbar/mall-active.png',
      },
      {
        pagePath: 'pages/queue/index',
        text: '排队',
        iconPath: 'assets/tabbar/queue.png',
        selectedIconPath: 'assets/tabbar/queue-active.png',
      },
      {
        pagePath: 'pages/green/index',
        text: '绿色积分',
        iconPath: 'assets/tabbar/green.png',
        selectedIconPath: 'assets/tabbar/green-active.png',
      },
      {
        pagePath: 'pages/me/index',
        text: '我的',
        iconPath: 'assets/tabbar/me.png',
        selectedIconPath: 'assets/tabbar/me-active.png',
      },
    ],
  },
  lazyCodeLoading: 'requiredComponents',
})
