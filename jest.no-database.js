// What `better-sqlite3`, `pg`, `redis` and `ioredis` resolve to in the unit tier
// (KEYCARD_TEST_TIER=unit, `npm run test:unit`): importing works, but opening a database or a
// Redis connection throws, so a unit spec that needs one fails instead of quietly using it.
function refuse() {
  throw new Error('the unit tier has no database or Redis: name this spec *.int.spec.ts');
}

module.exports = new Proxy(refuse, {
  get(target, property) {
    if (property === '__esModule') return false;
    if (property === 'then' || typeof property === 'symbol') return undefined;
    return refuse;
  },
  construct: refuse,
});
