import type { Tree } from '@nx/devkit';
import { logger } from '@nx/devkit';

export const ROOT_ESLINT_CONFIG = 'eslint.config.mjs';

/** The depConstraints entry that keeps `scope:<name>` to itself and the shared libraries. */
export function scopeConstraint(name: string): string {
  return `{ sourceTag: 'scope:${name}', onlyDependOnLibsWithTags: ['scope:${name}', 'scope:shared'] },`;
}

/** The root config's own `scope:shared` rule: new scopes go right above it. */
const SHARED_RULE = /^([ \t]*)\{ sourceTag: 'scope:shared',/m;

/**
 * Adds the new scope's rule to the `depConstraints` of the root ESLint config. Returns false (and
 * says what to add by hand) when the config does not have the expected shape; an existing rule for
 * the scope is left alone.
 */
export function addScopeConstraint(tree: Tree, name: string): boolean {
  const rule = scopeConstraint(name);
  const text = tree.exists(ROOT_ESLINT_CONFIG)
    ? (tree.read(ROOT_ESLINT_CONFIG, 'utf-8') ?? '')
    : '';
  if (text.includes(`sourceTag: 'scope:${name}'`)) return true;
  const anchor = SHARED_RULE.exec(text);
  if (anchor === null) {
    logger.warn(
      `${ROOT_ESLINT_CONFIG}: no "scope:shared" depConstraint found; add this rule to @nx/enforce-module-boundaries by hand:\n  ${rule}`,
    );
    return false;
  }
  const indent = anchor[1];
  tree.write(
    ROOT_ESLINT_CONFIG,
    `${text.slice(0, anchor.index)}${indent}${rule}\n${text.slice(anchor.index)}`,
  );
  return true;
}
