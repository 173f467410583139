// Bundled in place of node:https; why: `builtinShims` in infra/constructs/app-function.ts.
module.exports = process.getBuiltinModule('node:https');
