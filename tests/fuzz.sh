#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer (clang, ASan + UBSan, leak checks) and
# logs how much each was fuzzed.
#
#   tests/fuzz.sh [--seconds N] [--jobs N] [--build-dir DIR] [TARGET...]
#
# Builds the fuzz targets (tests/**/fuzz_*.cpp) in DIR (default build-fuzz:
# clang, QUIRE_LIBFUZZER and QUIRE_SANITIZE, every library instrumented for
# coverage), then runs each TARGET (default: all) for N seconds (default 15,
# what CI spends; a long run: --seconds 3600), --jobs at a time (default: the
# cores). Each target fuzzes a working corpus, DIR/fuzz-corpus/<target>,
# seeded from its checked-in seeds and kept between runs, so a long run goes
# on where the last one stopped.
#
# Per target it prints executions, executions per second, coverage and
# corpus size, and appends them, dated, to DIR/fuzz-log.tsv; the last column
# of the summary is the target's total executions over every run in that log
# (issue 10 asks for 10 million each). A crash, a sanitizer report, a leak, an
# input slower than 10 s or one needing more than 2 GB fails the run; the
# input is kept in DIR/fuzz-artifacts/<target>/ and printed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=15
jobs=$(nproc)
build=build-fuzz
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

.ci/install-deps build fuzz

all=()
declare -A seeds
while IFS= read -r f; do
  name=$(basename "$f" .cpp)
  all+=("$name")
  seeds[$name]="$(dirname "$f")/corpus/$name"
done < <(find tests -mindepth 2 -name 'fuzz_*.cpp' | sort)
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ -n "${seeds[$t]:-}" ]] || { echo "fuzz.sh: no fuzz target $t (have: ${all[*]})" >&2; exit 2; }
done

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-16 \
  -DCMAKE_CXX_COMPILER=clang++-16 -DQUIRE_LIBFUZZER=ON -DQUIRE_SANITIZE=ON -DQUIRE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}"

log="$build/fuzz-log.tsv"
[[ -f "$log" ]] || printf 'date\ttarget\tseconds\texecutions\texec_per_s\tcov\tft\tcorpus\tresult\n' > "$log"
mkdir -p "$build/fuzz-runs"

# One target: fuzz, then one line of figures (tab-separated) on stdout.
fuzz_one() {
  local t=$1 out="$build/fuzz-runs/$1.txt" work="$build/fuzz-corpus/$1" art="$build/fuzz-artifacts/$1/"
  mkdir -p "$work" "$art"
  local rc=0
  # UBSan findings are errors, not warnings; the corpus folder comes first,
  # so new inputs go there, not into the checked-in seeds.
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$build/tests/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art" "$work" "${seeds[$t]}" >"$out" 2>&1 || rc=$?
  local execs cov ft corp
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$out" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$out" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$out" | tail -1 | cut -d' ' -f2)
  local result=ok
  [[ $rc -eq 0 ]] || result="FAILED($rc)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$seconds" "${execs:-0}" \
    "$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
}
export -f fuzz_one
export build seconds
for t in "${targets[@]}"; do echo "$t ${seeds[$t]}"; done > "$build/fuzz-runs/list"

results=$(while read -r t s; do printf '%s\0%s\0' "$t" "$s"; done < "$build/fuzz-runs/list" |
  xargs -0 -n 2 -P "$jobs" bash -c 'declare -A seeds; seeds[$0]=$1; fuzz_one "$0"')
printf '%s\n' "$results" >> "$log"

failed=0
printf '%-24s %12s %10s %7s %7s %7s  %-10s %14s\n' target executions exec/s cov ft corpus result total
while IFS=$'\t' read -r _ t _ execs rate cov ft corp result; do
  total=$(awk -F'\t' -v t="$t" 'NR > 1 && $2 == t { s += $4 } END { print s + 0 }' "$log")
  printf '%-24s %12s %10s %7s %7s %7s  %-10s %14s\n' "$t" "$execs" "$rate" "$cov" "$ft" "$corp" "$result" "$total"
  if [[ "$result" != ok ]]; then
    failed=1
    echo "--- $t: $build/fuzz-runs/$t.txt" >&2
    grep -E 'ERROR|SUMMARY|runtime error|artifact_prefix|Test unit written' "$build/fuzz-runs/$t.txt" | head -20 >&2
  fi
done < <(printf '%s\n' "$results" | sort -t$'\t' -k2,2)
echo "log: $log"
exit $failed
