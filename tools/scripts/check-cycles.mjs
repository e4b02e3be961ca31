#!/usr/bin/env node
// `npm run cycles`: fails when the auth-service's import graph has a cycle.
//
// Two pictures of apps/auth-service/src, both from madge (every import, `import type` included):
// - files: no file may reach itself through its imports;
// - folders (a folder is the first path segment under src/, e.g. `sessions/`): no folder may reach
//   itself. Test code (specs, test kits, contract suites, testing/) is left out of this picture,
//   since a test may assemble the whole app; production code must never import test code.
// The one allowed exception is the entity list, `database/entities.ts`, which names every feature's
// entities for TypeORM: its edges are left out of the folder picture, and a file cycle through it
// is allowed.
//
// `tools/scripts/cycles-known.json` lists the folder edges (and file cycles) that still close a
// cycle and are being removed (each with the reason); they are tolerated so that CI catches every new cycle meanwhile.
// A folder edge listed there that no longer exists fails the check too, so the list only shrinks.
import madge from 'madge';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = 'apps/auth-service/src';
const ALLOWED = 'database/entities.ts';
const KNOWN = JSON.parse(readFileSync(resolve(ROOT, 'tools/scripts/cycles-known.json'), 'utf8'));

const isTestFile = (file) =>
  /\.(spec|test-kit|contract)\.ts$/.test(file) || file.startsWith('testing/');
const inSrc = (file) => !file.startsWith('../');
const folderOf = (file) => (file.includes('/') ? file.split('/')[0] : '.');

/** Tarjan's strongly connected components of `graph` (node -> Set of nodes), largest first. */
function cyclesOf(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    index.set(node, index.size);
    low.set(node, index.get(node));
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) components.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.sort((a, b) => b.length - a.length);
}

/** Folder -> folder edges of production code, each with the file imports that make it. */
function folderEdges(files) {
  const edges = new Map();
  const testImports = [];
  for (const [file, imports] of Object.entries(files)) {
    if (!inSrc(file) || isTestFile(file) || file === ALLOWED) continue;
    for (const target of imports.filter(inSrc)) {
      if (isTestFile(target)) testImports.push(`${file} -> ${target}`);
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      const key = `${from}\t${to}`;
      edges.set(key, [...(edges.get(key) ?? []), `${file} -> ${target}`]);
    }
  }
  return { edges, testImports };
}

/** The shortest cycle through `start` inside `members`, as a list of folders, or undefined. */
function shortestCycle(graph, start, members) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.includes(next)) continue;
      if (next === start) {
        const path = [node];
        while (previous.get(path[0])) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (previous.has(next)) continue;
      previous.set(next, node);
      queue.push(next);
    }
  }
  return undefined;
}

/** One line per distinct shortest cycle of each strongly connected group of folders. */
function folderReport(edges) {
  const graph = new Map();
  for (const key of edges.keys()) {
    const [from, to] = key.split('\t');
    graph.set(from, new Set([...(graph.get(from) ?? []), to]));
  }
  const lines = new Set();
  for (const members of cyclesOf(graph)) {
    const seen = new Set();
    for (const start of members) {
      const cycle = shortestCycle(graph, start, members);
      const id = [...new Set(cycle)].sort().join(',');
      if (seen.has(id)) continue;
      seen.add(id);
      const steps = cycle
        .slice(1)
        .map((to, i) => `${cycle[i]} -> ${to} (${edges.get(`${cycle[i]}\t${to}`)[0]})`);
      lines.add(`  folders: ${steps.join(', ')}`);
    }
  }
  return [...lines];
}

/** Drops the known edges (they must still exist: a stale entry is an error). */
function withoutKnown(edges) {
  const stale = [];
  for (const edge of Object.keys(KNOWN.folderEdges)) {
    const key = edge.replace(' -> ', '\t');
    if (!edges.delete(key))
      stale.push(`  ${edge} is listed in cycles-known.json but no longer exists: remove it`);
  }
  return stale;
}

const result = await madge(resolve(ROOT, SRC), {
  fileExtensions: ['ts'],
  tsConfig: resolve(ROOT, 'apps/auth-service/tsconfig.spec.json'),
  detectiveOptions: { ts: { skipTypeImports: false } },
});
const files = result.obj();
const knownFileCycles = new Set(KNOWN.fileCycles.map((cycle) => cycle.split(' -> ').sort().join()));
const fileCycles = result
  .circular()
  .filter((cycle) => cycle.every(inSrc) && !cycle.includes(ALLOWED))
  .filter((cycle) => !knownFileCycles.has([...cycle].sort().join()));
const { edges, testImports } = folderEdges(files);
const stale = withoutKnown(edges);
const folderCycles = folderReport(edges);
const count = Object.keys(files).filter(inSrc).length;

const problems = [
  ...fileCycles.map((cycle) => `  files: ${[...cycle, cycle[0]].join(' -> ')}`),
  ...folderCycles,
  ...testImports.map((line) => `  production code imports test code: ${line}`),
  ...stale,
];
if (problems.length > 0) {
  console.error(`Import cycles in ${SRC} (${count} files):\n${problems.join('\n')}`);
  console.error(
    '\nBreak the cycle: move the shared piece to the folder both use, or hand the value in. ' +
      `Only ${ALLOWED} may import every feature.`,
  );
  process.exit(1);
}
const folders = new Set(Object.keys(files).filter(inSrc).map(folderOf));
const known = Object.keys(KNOWN.folderEdges).length;
console.log(
  `No import cycles in ${SRC}: ${count} files, ${folders.size} folders` +
    (known > 0
      ? ` (${known} known folder edges tolerated, see tools/scripts/cycles-known.json).`
      : '.'),
);
