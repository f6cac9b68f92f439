// Taro ships this runtime entry (the React page hooks) without typings; test/taro-shim.ts re-exports it.
declare module '@tarojs/plugin-framework-react/dist/runtime'
