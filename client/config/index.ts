import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import devConfig from './dev'
import prodConfig from './prod'

// npm workspaces hoist most packages to the repo root but keep a few in client/node_modules
// (e.g. @tarojs/plugin-framework-react, whose optional `vite@^4` peer clashes with vitest's
// vite). Hoisted Taro packages import those, so let webpack also look in client/node_modules.
const CLIENT_NODE_MODULES = path.resolve(__dirname, '..', 'node_modules')
const addClientModules = (chain: { resolve: { modules: { add: (p: string) => unknown } } }) => {
  chain.resolve.modules.add('node_modules')
  chain.resolve.modules.add(CLIENT_NODE_MODULES)
}

// The contract shared with the server (shared/contract.ts: enumerations, the exchange arithmetic,
// fen formatting) lives outside src; Taro compiles scripts only under src unless told.
const SHARED = path.resolve(__dirname, '..', '..', 'shared')
const compile = { include: [SHARED] }

// Output goes to dist/<platform>: dist/weapp is the miniprogramRoot the repo-level
// project.config.json points at; dist/h5 is served by scripts/serve-h5.mjs.
export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'queue-rebate-green-points',
    date: '2026-11-22',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    // Every process.env.X the app reads must be defined here (or in a .env file): nothing
    // provides `process` at run time in weapp or h5, so an undefined one throws
    // "process is not defined". Set them in the shell or in .env.<mode>.
    env: {
      TARO_APP_API_BASE: JSON.stringify(process.env.TARO_APP_API_BASE ?? ''),
      TARO_APP_CLOUD_ENV: JSON.stringify(process.env.TARO_APP_CLOUD_ENV ?? ''),
    },
    defineConstants: {},
    alias: {
      '@': path.resolve(__dirname, '..', 'src'),
    },
    copy: {
      patterns: [],
      options: {},
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: {
      enable: false,
    },
    mini: {
      compile,
      postcss: {
        pxtransform: {
          enable: true,
          config: {},
        },
        cssModules: {
          enable: false,
          config: {
            namingPattern: 'module',
            generateScopedName: '[name]__[local]___[hash:base64:5]',
          },
        },
      },
      webpackChain: addClientModules,
    },
    h5: {
      compile,
      // Relative, so the bundle works wherever it is mounted (the gateway, a sub-path, file://).
      publicPath: './',
      staticDirectory: 'static',
      router: {
        mode: 'hash',
      },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: {
          enable: true,
          config: {},
        },
        cssModules: {
          enable: false,
          config: {
            namingPattern: 'module',
            generateScopedName: '[name]__[local]___[hash:base64:5]',
          },
        },
      },
      webpackChain: addClientModules,
    },
  }

  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig)
  }
  return merge({}, baseConfig, prodConfig)
})
