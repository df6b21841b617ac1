import { fileURLToPath, URL } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// In development the app calls /api on the Vite server, which forwards it to the backend.
const backend = process.env.FACEPROOF_API_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: { '/api': { target: backend, changeOrigin: false } },
  },
  preview: {
    proxy: { '/api': { target: backend, changeOrigin: false } },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // one jsdom for all files: 7 s instead of 50 s on a busy 2-core machine; every test
    // cleans up after itself (setup.ts, restoreMocks, unstubGlobals)
    isolate: false,
    restoreMocks: true,
    unstubGlobals: true,
  },
})
