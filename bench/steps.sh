#!/usr/bin/env bash
# Before/after of each step: runs the REST, in-process and memory benchmarks of THIS checkout's
# bench/ scripts against other commits (each in a temporary git worktree sharing node_modules)
# and prints one JSON line per commit. The lines go into bench/results.json "steps".
#
#   bash bench/steps.sh name=commit [name=commit ...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODE="$ROOT/node_modules/.bin/node"
TREE=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$TREE" >/dev/null 2>&1 || rm -rf "$TREE"' EXIT
git -C "$ROOT" worktree add -q --detach "$TREE" HEAD
ln -s "$ROOT/node_modules" "$TREE/node_modules"
for step in "$@"; do
  name=${step%%=*}
  commit=$(git -C "$ROOT" rev-parse --short "${step#*=}")
  git -C "$TREE" checkout -q --detach "$commit"
  for file in rest.ts load-client.ts stats.ts throughput.ts memory.ts; do cp "$ROOT/bench/$file" "$TREE/bench/"; done
  rest=$(cd "$TREE" && "$NODE" --no-node-snapshot bench/rest.ts 2>/dev/null | tr -d '\n ')
  inproc=$(cd "$TREE" && "$NODE" --no-node-snapshot bench/throughput.ts 2>/dev/null | tr -d '\n ')
  memory=$(cd "$TREE" && "$NODE" --no-node-snapshot --expose-gc bench/memory.ts 2>/dev/null | tr -d '\n ')
  echo "{\"step\":\"$name\",\"commit\":\"$commit\",\"rest\":$rest,\"in_process\":$inproc,\"memory_50_apps\":$memory}"
  git -C "$TREE" checkout -q -- . && git -C "$TREE" clean -qfd bench
done
