// Bundled in place of `node-forge`; why: `forgeAsn1` in infra/constructs/app-function.ts.
require('../../node_modules/node-forge/lib/asn1.js');
module.exports = require('../../node_modules/node-forge/lib/forge.js');
