import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/** The console is static files; `config.json` beside them is written by whoever serves them. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
});
