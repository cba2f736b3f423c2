# shellcheck shell=bash
# upload-images: finding and stopping processes. Sourced by upload-images; uses its $work and $results.

# A process's start time (field 22 of /proc/PID/stat, counted after the command name, which may hold
# spaces and parentheses): with the PID, it names one process for good.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  read -r -a fields <<<"$stat"
  echo "${fields[19]}"
}

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
# Stops everything under $1, then $1: it is frozen first (SIGSTOP), so it starts nothing new; the rest get
# TERM (spaces-put then finishes or fails the record in hand and writes its line) and, after 2 s, KILL.
# Every process seen is followed to its end, also once its parent is gone.
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
# Ctrl+C reaches the whole process group: xargs dies of it at once, and its workers, no longer its
# children, would escape stop_tree. They are found by what they hold open, the results file or a file in
# the work folder, and waited for (TERM, then KILL after 2 s) before anything is counted.
stop_holders() {
  local round pids
  for round in {1..40}; do
    pids=$(find /proc/[0-9]*/fd -maxdepth 1 \( -lname "$results" -o -lname "$work/*" \) 2>/dev/null \
      | cut -d/ -f3 | sort -u | grep -vx "$$" || true)
    [[ -n $pids ]] || return 0
    if ((round <= 20)); then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
    sleep 0.1
  done
}

# How a stage ended, for a record it never answered: "img-thumb was killed by signal 9 (KILL)".
ending() {
  if (($2 > 128)); then echo "$1 was killed by signal $(($2 - 128)) ($(kill -l $(($2 - 128)) 2>/dev/null))"; else echo "$1 exited with status $2"; fi
}
