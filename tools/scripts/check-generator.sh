#!/usr/bin/env bash
# Checks `nx g @keycard/tools:service` end to end: generates scratch services (default options and
# --apiKeys=false), then formats-checks, lints, typechecks, tests, builds and runs their end-to-end
# specs against a real auth-service. Whatever happens, the generated files are removed and the
# files the generator edited are restored (trap), so `git status` ends as it began.
#
#   bash tools/scripts/check-generator.sh            # both variants; exit 0 only if every step passed
#   bash tools/scripts/check-generator.sh --quick    # the default variant only (about half the time)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

# name|options of each scratch service
VARIANTS=('ci-scratch|' 'ci-scratch-bearer|--apiKeys=false --port=3999 --audience=ci-audience')
case "${1:-}" in
  '') ;;
  --quick) VARIANTS=("${VARIANTS[0]}") ;;
  *) echo "usage: $0 [--quick]" >&2 && exit 2 ;;
esac
start=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$*" "$(($(date +%s) - start))"; }

work=$(mktemp -d)
status_before="$work/status.before"
git status --porcelain=v1 --untracked-files=all >"$status_before"
: >"$work/created"
: >"$work/updated"
projects=()
roots=()

restore() {
  local rc=$? file
  trap - EXIT INT TERM
  set +e
  step "clean-up"
  # Exactly the files the generator created, then the (new) project folders and build output.
  while read -r file; do [ -n "$file" ] && rm -f -- "$file"; done <"$work/created"
  for root in "${roots[@]}"; do rm -rf -- "$root"; done
  for project in "${projects[@]}"; do
    rm -rf -- "dist/apps/$project" artifacts/e2e-logs/"$project".*
  done
  # Files it edited go back to their earlier content, unless someone changed them meanwhile.
  while read -r file; do
    [ -n "$file" ] || continue
    if cmp -s "$file" "$work/before/$file"; then
      continue
    elif cmp -s "$file" "$work/generated/$file"; then
      cp -- "$work/before/$file" "$file"
    else
      echo "!! $file changed during the check; not restored. Remove the ci-scratch lines by hand." >&2
      rc=1
    fi
  done < <(sort -u "$work/updated")
  git status --porcelain=v1 --untracked-files=all >"$work/status.after"
  if ! diff -u "$status_before" "$work/status.after" >"$work/status.diff"; then
    echo "!! git status differs from before the check:" >&2
    cat "$work/status.diff" >&2
    if grep -E '^[+-].*(ci-scratch|eslint\.config\.mjs|tsconfig\.base\.json)' "$work/status.diff" >/dev/null; then
      rc=1
    else
      echo "   (none of it is the check's: other work changed the tree meanwhile)" >&2
    fi
  fi
  rm -rf -- "$work"
  if [ "$rc" -eq 0 ]; then step "check-generator passed"; else step "check-generator FAILED ($rc)"; fi
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for variant in "${VARIANTS[@]}"; do
  name=${variant%%|*}
  read -r -a options <<<"${variant#*|}"
  project="$name-service"
  root="apps/$project"
  if [ -e "$root" ]; then
    echo "$root already exists: remove it first" >&2
    exit 1
  fi
  step "plan: nx g @keycard/tools:service $name ${options[*]} --dry-run"
  NO_COLOR=1 FORCE_COLOR=0 npx nx g @keycard/tools:service "$name" "${options[@]}" --dry-run \
    --no-interactive | sed 's/\x1b\[[0-9;]*m//g' | tee "$work/plan"
  awk '$1 == "CREATE" { print $2 }' "$work/plan" >>"$work/created"
  awk '$1 == "UPDATE" { print $2 }' "$work/plan" >"$work/plan.updated"
  if ! grep -q "^$root/src/main.ts\$" "$work/created"; then
    echo "the dry run did not list $root/src/main.ts: cannot tell what the generator will write" >&2
    exit 1
  fi
  # Keep the first original of every file the generator is about to edit.
  while read -r file; do
    if [ ! -e "$work/before/$file" ]; then
      mkdir -p "$work/before/$(dirname "$file")"
      cp -- "$file" "$work/before/$file"
    fi
  done <"$work/plan.updated"
  cat "$work/plan.updated" >>"$work/updated"
  projects+=("$project")
  roots+=("$root")

  step "generate $project"
  npx nx g @keycard/tools:service "$name" "${options[@]}" --no-interactive
  # What the generator wrote, so the clean-up can tell whether anyone else edited these since.
  while read -r file; do
    mkdir -p "$work/generated/$(dirname "$file")"
    cp -- "$file" "$work/generated/$file"
  done < <(sort -u "$work/updated")
done

step "prettier --check"
npx prettier --check "${roots[@]}"

step "auth-service build (the end-to-end specs start it; a cached build is fine)"
npx nx run auth-service:build --output-style=static

list=$(IFS=,; echo "${projects[*]}")
step "lint, typecheck, unit tests and build of $list"
npx nx run-many -t lint typecheck test build -p "$list" --output-style=static --skip-nx-cache --parallel=2

step "end-to-end specs of $list (built auth-service + the service as processes)"
npx nx run-many -t e2e -p "$list" --output-style=static --exclude-task-dependencies
