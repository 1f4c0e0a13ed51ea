#!/usr/bin/env bash
# Runs the whole suite N times in a row (default 5) while a CPU hog keeps both cores busy,
# to prove that no test depends on timing (npm run test:stress [-- N]). The hog is
# `stress-ng --cpu 2` when installed (Debian package stress-ng), else two busy node loops.
# Prints each run's result and exits non-zero when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_hogs EXIT INT TERM

npm run build --silent || exit 1
if command -v stress-ng >/dev/null; then
  stress-ng --cpu 2 --quiet &
  hogs+=("$!")
  hog="stress-ng --cpu 2"
else
  for _ in 1 2; do
    node -e 'for (;;) {}' &
    hogs+=("$!")
  done
  hog="two busy node loops"
fi
echo "== $runs runs of the whole suite under load ($hog), $(nproc) cores"

results=()
failed=0
for run in $(seq 1 "$runs"); do
  log="$(mktemp "${TMPDIR:-/tmp}/kms-exporter-stress-$run-XXXXXX.log")"
  started=$SECONDS
  if npx vitest run >"$log" 2>&1; then status=green; else status=RED; failed=$((failed + 1)); fi
  summary="$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\s*(Test Files|Tests) ' | sed -E 's/^\s+//' | paste -sd ';' -)"
  line="run $run/$runs: $status in $((SECONDS - started)) s, $summary, load $(cut -d' ' -f1-3 /proc/loadavg) (log: $log)"
  echo "$line"
  results+=("$line")
done

echo "== summary"
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ]
