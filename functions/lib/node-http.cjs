// Bundled in place of node:http; why: `builtinShims` in infra/constructs/app-function.ts.
module.exports = process.getBuiltinModule('node:http');
