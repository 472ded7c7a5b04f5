import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Tauri loads the built files from ui/dist; the dev server is only for `vite dev`.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // One CSS file and no inline <style>: the CSP allows styles from 'self' only.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // app.css as written (lib/contrast.test.ts reads its palette); vitest empties CSS otherwise.
    css: { include: [/app\.css/] },
  },
});
