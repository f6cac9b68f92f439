/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.gif'
declare module '*.jpg'
declare module '*.jpeg'
declare module '*.svg'
declare module '*.css'

declare namespace NodeJS {
  interface ProcessEnv {
    /** NODE 内置环境变量, 会影响到最终构建生成产物 */
    NODE_ENV: 'development' | 'production' | 'test'
    /** 当前构建的平台 (inlined at build time) */
    TARO_ENV: 'weapp' | 'swan' | 'alipay' | 'h5' | 'rn' | 'tt' | 'qq' | 'jd' | 'harmony' | 'jdrn'
    /** 小程序 appid (env-mode variable) */
    TARO_APP_ID?: string
    /** 云开发环境 id; empty = default env */
    TARO_APP_CLOUD_ENV?: string
    /** h5 only: gateway origin, e.g. http://127.0.0.1:8787; empty = same origin */
    TARO_APP_API_BASE?: string
  }
}
