/**
 * Import rules for the source tree, checked by `npm run lint` (depcruise). Tests are not cruised:
 * they may reach into any layer.
 */

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other (type-only imports count) cannot be read or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'functions-not-to-runtime',
      severity: 'error',
      comment: 'functions/ is deployed to Lambda without runtime/ (the local runtime only).',
      from: { path: '^functions/' },
      to: { path: '^runtime/' },
    },
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      comment: 'cli/ is the outermost layer: only its own modules and the bin/ entry point use it.',
      from: { pathNot: '^(cli|bin)/' },
      to: { path: '^cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: '^(node_modules|dist|test|test-results|cdk\\.out|\\.tollgate|coverage)/|^console/ui/vendor/',
    },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports are dependencies too: a type cycle ties the modules together all the same.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
