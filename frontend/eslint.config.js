import js from '@eslint/js'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import reactHooks from 'eslint-plugin-react-hooks'
import reactRefresh from 'eslint-plugin-react-refresh'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const FEATURES = ['analyze', 'batch', 'history', 'models', 'video']

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/lib/api-schema.ts'] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ['**/*.{ts,tsx}'],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { 'react-hooks': reactHooks, 'react-refresh': reactRefresh },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
    },
  },
  {
    // one direction of imports (bulletproof-react): shared code (components, lib, styles,
    // test helpers) <- features <- app. A feature never imports another feature: what two
    // features share moves to the shared folders.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.app.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...FEATURES.map((feature) => ({
              target: `./src/features/${feature}`,
              from: './src/features',
              except: [`./${feature}`],
              message: 'A feature imports no other feature: move what they share to src/components or src/lib.',
            })),
            {
              target: './src/features',
              from: './src/app',
              message: 'Features do not import the app shell.',
            },
            {
              target: ['./src/components', './src/lib', './src/test'],
              from: ['./src/features', './src/app'],
              message: 'Shared code imports no feature and not the app shell.',
            },
          ],
        },
      ],
    },
  },
  {
    // tests, test helpers and the providers in lib/ export hooks next to components
    files: ['src/**/*.test.{ts,tsx}', 'src/test/**', 'src/lib/**'],
    rules: { 'react-refresh/only-export-components': 'off' },
  },
)
