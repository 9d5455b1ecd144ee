import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// One build produces every runtime piece:
//  out/main/index.js   Electron main process
//  out/main/cli.js     headless CLI and web host (plain Node, no Electron)
//  out/main/worker.js  the training worker (node:worker_threads)
//  out/preload/index.cjs  sandboxed preload (sandboxed preloads must be CommonJS)
//  out/renderer/       the Vue app, served by Electron or by the web host
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          worker: resolve(__dirname, 'src/worker/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
      // electron-vite leaves the renderer unminified; the web host serves it to browsers too.
      minify: true,
    },
    plugins: [vue()],
  },
});
