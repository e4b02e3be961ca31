// Which specs the integration tier leaves to `npm test` (see jest.preset.js): the `*.http.spec.ts`
// files that run the same way whether or not TEST_DATABASE_URL / TEST_REDIS_URL are set, because
// neither they nor a module of ours they import (followed through relative imports) reads those
// variables or names a function of a module that does. Most HTTP specs boot the app on its default
// SQLite, whatever the variables say; running them again in CI's PostgreSQL step repeated a minute
// of work. A spec wrongly counted as depending on the variables only runs twice.
const fs = require('node:fs');
const path = require('node:path');

const ROOTS = ['apps', 'libs'].map((folder) => path.join(__dirname, folder));
const ENV_VARIABLES = /\bTEST_(DATABASE|REDIS)_URL\b/;
const RELATIVE_IMPORT = /from '(\.{1,2}\/[^']+)'/g;
const EXPORTED_NAME = /^export (?:async )?(?:function|const|class) (\w+)/gm;

function sources(folder, found = []) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) sources(file, found);
    else if (entry.name.endsWith('.ts')) found.push(file);
  }
  return found;
}

/** The names exported by our modules that read the variables: a spec calling one depends on them. */
function envFunctionNames(files) {
  const names = new Set();
  for (const file of files) {
    if (file.endsWith('.spec.ts')) continue;
    const text = fs.readFileSync(file, 'utf8');
    if (ENV_VARIABLES.test(text))
      for (const [, name] of text.matchAll(EXPORTED_NAME)) names.add(name);
  }
  return names;
}

function resolveImport(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((file) => fs.existsSync(file));
}

function dependsOnBackends(file, markers, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  if (ENV_VARIABLES.test(text) || markers.test(text)) return true;
  for (const [, specifier] of text.matchAll(RELATIVE_IMPORT)) {
    const imported = resolveImport(file, specifier);
    if (imported !== undefined && dependsOnBackends(imported, markers, seen)) return true;
  }
  return false;
}

/** Absolute paths of the HTTP specs that do not depend on TEST_DATABASE_URL / TEST_REDIS_URL. */
function backendIndependentHttpSpecs() {
  const files = ROOTS.filter((root) => fs.existsSync(root)).flatMap((root) => sources(root));
  const names = [...envFunctionNames(files)];
  const markers = names.length > 0 ? new RegExp(`\\b(${names.join('|')})\\b`) : /$^/;
  return files.filter(
    (file) => file.endsWith('.http.spec.ts') && !dependsOnBackends(file, markers),
  );
}

module.exports = { backendIndependentHttpSpecs };
