#!/usr/bin/env bash
# Secret-pattern scan with secretlint's recommended rules (OPS-02). Run from anywhere inside a
# git work tree; the rules and ignore list are that tree's .secretlintrc.json/.secretlintignore.
#
#   scan-secrets.sh            every file git tracks, plus untracked files git does not ignore
#   scan-secrets.sh --staged   the staged content of files about to be committed (pre-commit)
#   scan-secrets.sh FILE...    the given files
#
# Exit codes: 0 nothing found, 1 secrets found (printed masked), 2 the scan could not run.
set -euo pipefail

enclave_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { printf 'scan-secrets: %s\n' "$*" >&2; }

# secretlint needs Node 22+; prefer the Node the ./enclave wrapper provisions, as git hooks
# run with whatever PATH the committer's shell has.
if [ -x "$enclave_root/.cache/node/bin/node" ]; then
  PATH="$enclave_root/.cache/node/bin:$PATH"
fi
# Called by path rather than through npx so that it resolves the same way from a temporary
# directory (--staged) and never reaches for the network.
secretlint="$enclave_root/node_modules/.bin/secretlint"
[ -x "$secretlint" ] || { say "secretlint is not installed; run ./enclave --help or npm ci first"; exit 2; }

work_tree="$(git rev-parse --show-toplevel 2>/dev/null)" || { say "not inside a git work tree"; exit 2; }
[ -f "$work_tree/.secretlintrc.json" ] || { say "$work_tree/.secretlintrc.json is missing"; exit 2; }

# Scans files relative to the current directory, in batches small enough for any ARG_MAX, and
# exits with the worst secretlint status (1 findings, 2 fatal).
scan() {
  local worst=0 status batch=()
  while [ "$#" -gt 0 ]; do
    batch=("${@:1:500}")
    shift "${#batch[@]}"
    status=0
    "$secretlint" --no-glob --secretlintrc .secretlintrc.json "${batch[@]}" || status=$?
    [ "$status" -gt "$worst" ] && worst="$status"
  done
  return "$worst"
}

finish() {
  case "$1" in
    0) say "no secrets found in $2 file(s)" ;;
    1) say "SECRETS FOUND — remove them (and rotate any that were real) before committing" ;;
    *) say "secretlint failed (exit $1)" ;;
  esac
  exit "$(( $1 > 2 ? 2 : $1 ))"
}

if [ "${1:-}" = "--staged" ]; then
  # Scan exactly what will be committed: a partly staged file's working copy may differ.
  files=()
  while IFS= read -r -d '' file; do files+=("$file"); done \
    < <(git -C "$work_tree" diff --cached --name-only -z --diff-filter=ACMR)
  [ "${#files[@]}" -gt 0 ] || exit 0
  snapshot="$(mktemp -d)"
  trap 'rm -rf "$snapshot"' EXIT
  printf '%s\0' "${files[@]}" | git -C "$work_tree" checkout-index -z --stdin --prefix="$snapshot/"
  cp "$work_tree/.secretlintrc.json" "$snapshot/"
  [ -f "$work_tree/.secretlintignore" ] && cp "$work_tree/.secretlintignore" "$snapshot/"
  cd "$snapshot"
  regular=()
  for file in "${files[@]}"; do [ -f "$file" ] && [ ! -L "$file" ] && regular+=("$file"); done
  status=0
  if [ "${#regular[@]}" -gt 0 ]; then
    say "scanning the staged content of ${#regular[@]} file(s); reported paths are in a snapshot of the index"
    scan "${regular[@]}" || status=$?
  fi
  finish "$status" "${#regular[@]}"
fi

if [ "$#" -gt 0 ]; then
  files=()
  for file in "$@"; do
    [ -f "$file" ] || { say "no such file: $file"; exit 2; }
    files+=("$(cd "$(dirname "$file")" && pwd)/$(basename "$file")")
  done
  cd "$work_tree"
  status=0
  scan "${files[@]}" || status=$?
  finish "$status" "${#files[@]}"
fi

cd "$work_tree"
files=()
while IFS= read -r -d '' file; do
  # Deleted-but-still-tracked paths and symlinks have no content of their own to scan.
  [ -f "$file" ] && [ ! -L "$file" ] && files+=("$file")
done < <(git ls-files -z --cached --others --exclude-standard --deduplicate)
[ "${#files[@]}" -gt 0 ] || { say "no files to scan"; exit 0; }
status=0
scan "${files[@]}" || status=$?
finish "$status" "${#files[@]}"
