import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** Which projects may import which: apps never import apps, production code never test helpers. */
function boundaries(inTests) {
  const testing = inTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:feature', 'type:util', ...testing],
      },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
      {
        sourceTag: 'type:feature',
        onlyDependOnLibsWithTags: ['type:feature', 'type:util', ...testing],
      },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...testing] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:feature'] },
      { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:auth', 'scope:shared'] },
      { sourceTag: 'scope:resource', onlyDependOnLibsWithTags: ['scope:resource', 'scope:shared'] },
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  prettier,
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/data',
      '**/artifacts',
      'tools/**/files/**',
    ],
  },
  { files: ['**/*.ts'], rules: { '@nx/enforce-module-boundaries': ['error', boundaries(false)] } },
  // Tests and test kits may also use the test helpers of libs/testing.
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts', '**/*.test-kit.ts', '**/*.contract.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  // Type-aware rules on all TypeScript, specs and test kits included: each project's tsconfig.json
  // references its tsconfig.spec.json, so the project service types specs with jest's globals.
  {
    files: ['**/*.ts'],
    ignores: ['**/jest.config.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // The tsconfig sets emitDecoratorMetadata, so the rule keeps value imports that a decorated
      // constructor or property needs at run time (Nest reads them for injection).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
    },
  },
];
