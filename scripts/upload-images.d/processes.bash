# shellcheck shell=bash
# upload-images: stopping the processes it started. Sourced by upload-images; uses its $work.

# Every live process under $1 (zombies waiting for a stopped parent left out).
live_descendants() {
  local child state
  for child in $(pgrep -P "$1" 2>/dev/null); do
    live_descendants "$child"
    state=$(cat "/proc/$child/stat" 2>/dev/null) || continue
    state=${state##*) }
    [[ ${state:0:1} == Z ]] || echo "$child"
  done
}
# Stops everything under $1, then $1: frozen first (SIGSTOP), so it starts nothing new; the rest get TERM
# (spaces-put answers the record in hand) and after 2 s KILL, each followed to its end, parent gone or not.
stop_tree() {
  local top=$1 seen="" pid alive round
  kill -STOP "$top" 2>/dev/null || true
  for round in {1..40}; do
    seen+=" $(live_descendants "$top")"
    alive=""
    for pid in $seen; do
      [[ $(cat "/proc/$pid/stat" 2>/dev/null) == *") "[!Z]* ]] && alive+=" $pid"
    done
    [[ -n $alive ]] || break
    if ((round <= 20)); then kill -TERM $alive 2>/dev/null || true; else kill -KILL $alive 2>/dev/null || true; fi
    sleep 0.1
  done
  kill -KILL "$top" 2>/dev/null || true
  wait "$top" 2>/dev/null || true
}
# Ctrl+C reaches the whole process group: xargs dies of it at once, and its workers would escape stop_tree.
# They are found by what they hold open (the results, the work folder) and stopped before anything is counted.
stop_holders() {
  local round pids results
  results=$(readlink "$work/results" 2>/dev/null) || results=$work/results
  for round in {1..40}; do
    pids=$(find /proc/[0-9]*/fd -maxdepth 1 \( -lname "$results" -o -lname "$work/*" \) 2>/dev/null \
      | cut -d/ -f3 | sort -u | grep -vx "$$" || true)
    [[ -n $pids ]] || return 0
    if ((round <= 20)); then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
    sleep 0.1
  done
}
