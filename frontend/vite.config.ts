import { defineConfig } from 'vitest/config';

// The UI is served by the herald binary from frontend/dist/app (see embed.go), which injects
// window.HERALD into index.html. `npm run dev` proxies the API to a herald on HERALD_URL.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': process.env.HERALD_URL || 'http://127.0.0.1:8080',
      '/sandbox': process.env.HERALD_URL || 'http://127.0.0.1:8080',
      '/media': process.env.HERALD_URL || 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
  },
});
