# shellcheck shell=bash
# upload-images: the results file, whole lines only, and what is said about it (summary, progress). Sourced
# by upload-images; uses its variables ($results, $failures, $work, $found, $pending, $base, $started, $log)
# and functions (say, log_line, clear_progress).

# --- results: one whole line per image, never a half one ---------------------------------------------------
# A results file that cannot be written (a full disk) ends the run: exit 2, one line, and the summary of
# what had been recorded. A line cut short by the failed write is removed, so every line left is whole.
results_failed() {
  local size tail_bytes
  if [[ -s $results && $(tail -c 1 "$results" | od -An -tx1) != *0a* ]]; then
    size=$(wc -c <"$results")
    tail_bytes=$(tail -n 1 "$results" | wc -c)
    truncate -s $((size - tail_bytes)) "$results" 2>/dev/null || true
  fi
  kill -KILL "${progress_pid:-}" 2>/dev/null || true
  summary unrecorded
  local why="the write failed"
  [[ $(df -P "$results" 2>/dev/null | awk 'NR == 2 { print $4 }') == 0 ]] && why="no space left on the disk that holds it"
  printf '%s: cannot write the results file %s: %s; the summary above counts what was recorded\n' "$name" "$results" "$why" >&2
  log_line "fatal: cannot write the results file: $why"
  exit 2
}
results_damaged() { [[ -s $results && $(tail -c 1 "$results" | od -An -tx1) != *0a* ]]; }

# Every pending record without a result line gets one: failed, with why. $1 is the reason for records of
# batches that ended normally; a batch whose stage died gives its own ("img-thumb was killed by signal 9").
# Records are matched by path and key, as bytes.
# After an interruption, $2 = interrupted: that is the reason for them all.
reconcile() {
  [[ -d $work/died ]] || return 0
  # One line out per line in: when every pending record has its line and no stage died, none is missing.
  if [[ -z ${2:-} ]] && (($(wc -l <"$results") - base == pending)) && [[ -z $(ls -A "$work/died") ]]; then return 0; fi
  # The batches: not taken yet (batches/, or unstarted/ after a stop), taken by a worker (lanes/N/), whose
  # stage's death is in died/N, or run on a host (--hosts: batches/, its death in died/BATCH).
  local batches=()
  shopt -s nullglob
  batches=("$work"/batches/batch.* "$work"/unstarted/batch.* "$work"/lanes/*/batch.*)
  shopt -u nullglob
  ((${#batches[@]})) || return 0
  awk -v fallback="$1" -v forced="${2:-}" -v died="$work/died" '
    FNR == 1 {
      reason = fallback
      name = FILENAME; sub(/.*\//, "", name)
      lane = ""; if (FILENAME ~ /\/lanes\/[^\/]+\/[^\/]+$/) { lane = FILENAME; sub(/\/[^\/]+$/, "", lane); sub(/.*\//, "", lane) }
      if (forced == "" && ((lane != "" && (getline line < (died "/" lane)) > 0) || (getline line < (died "/" name)) > 0))
        reason = "not uploaded: " line
      close(died "/" lane); close(died "/" name)  # a lane died once for all the batches it took
    }
    { print reason "\t" $0 }' "${batches[@]}" \
    | jq -n -R -r --rawfile done "$results" '
      ($done | split("\n") | map(fromjson? | select(type == "object") | [.path, .key] | tojson) | INDEX(.)) as $seen
      | inputs | split("\t") | .[0] as $reason | (.[1:] | join("\t") | fromjson?) as $record
      | select($record != null and $seen[[$record.path, $record.key] | tojson] == null)
      | $record | .status = "failed" | .error = $reason | tojson' >>"$results" 2>/dev/null || results_failed
}

# Sizes as people read them: 592 KiB, 176.7 MiB, 1.2 GiB (units of 1024, as du -h and ls -h count).
human_bytes() {
  awk -v b="$1" 'BEGIN {
    if (b < 1024) { printf "%d bytes", b; exit }
    split("KiB MiB GiB TiB PiB", unit, " ")
    n = 1; b /= 1024
    while (b >= 1024 && n < 5) { b /= 1024; n++ }
    if (n == 1) printf "%d %s", b + 0.5, unit[n]; else printf "%.1f %s", b, unit[n]
  }'
}
# Bytes per second as MB/s (10^6 bytes, as network speeds are given).
megabytes_per_second() { awk -v b="$1" -v e="$2" 'BEGIN { printf "%.1f", (e > 0 ? b / e / 1e6 : 0) }'; }
# img-scan's one line about what it left out (junk, hidden, filtered), without its name: "ignored 3: ...".
# (Nothing when there is no scan: --from-records.) Always succeeds: it is read under errexit.
scan_ignored() { [[ ! -f $work/scan.err ]] || sed -n 's/^img-scan: ignored /ignored /p' "$work/scan.err" | tail -n 1; }

# Counts by each record's top-level status (jq), so that no field a user added can be mistaken for one.
summary() {
  local elapsed uploaded skipped_now failed other originals thumbnails sent rate byte_rate ignored
  elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  clear_progress
  # One pass over the results: jq tags each fact (a status, bytes sent, a failure to list, a failed
  # record's own line), awk adds them up and writes the failures file.
  # The finished records were counted when they were split off; when none of them failed they need no
  # second reading, and a resume that uploaded nothing needs no jq at all.
  local from=1
  ((early_failed > 0 || early_other > 0)) || from=$((base + 1))
  : >"$work/failure-lines"
  : >"$failures" 2>/dev/null || true
  (($(wc -l <"$results") >= from)) && read -r uploaded skipped_now failed other originals thumbnails < <(
    tail -n +"$from" "$results" | jq -R -r '. as $line | fromjson? | select(type == "object" and .action != "delete")
      | "S\t\(.status // "none")",
        (select(.status == "uploaded") | "B\t\(.size // 0)\t\(.thumbnail_size // 0)"),
        (select(.status == "failed") | "E\t  \(.rel // "?"): \(.error // "failed")" | gsub("\n"; "\\n")),
        (select(.status == "failed") | "F\t" + $line)' 2>/dev/null \
    | awk -F '\t' -v failures="$failures" -v listed="$work/failure-lines" '
        $1 == "S" { count[$2]++; total++ }
        $1 == "B" { originals += $2; thumbnails += $3 }
        $1 == "E" { print substr($0, 3) > listed }
        $1 == "F" { print substr($0, 3) > failures }
        END {
          other = total - count["uploaded"] - count["skipped"] - count["failed"]
          printf "%d %d %d %d %d %d\n", count["uploaded"], count["skipped"], count["failed"], other, originals, thumbnails
        }' 2>/dev/null)
  : "${uploaded:=0}" "${skipped_now:=0}" "${failed:=0}" "${other:=0}" "${originals:=0}" "${thumbnails:=0}"
  ((from == 1)) || skipped_now=$((skipped_now + skipped))
  sent="$(human_bytes "$originals") of originals, $(human_bytes "$thumbnails") of thumbnails"
  ((!${delete_removed:-0})) || count_deletions
  rate=$(awk -v n="$uploaded" -v e="$elapsed" 'BEGIN { printf "%.1f", (e > 0 ? int(n / e * 10) / 10 : 0) }')
  byte_rate=$(megabytes_per_second $((originals + thumbnails)) "$elapsed")
  ignored=$(scan_ignored)
  {
    case ${1:-} in
      interrupted) printf '\nInterrupted: partial summary\n' ;;
      unrecorded) printf '\nSummary of what was recorded\n' ;;
      *) printf '\nSummary\n' ;;
    esac
    printf '  found:      %s\n' "$found"
    [[ -z $ignored ]] || printf '  ignored:    %s\n' "$(sed 's/^ignored \([0-9]*\): /\1, not counted as found: /' <<<"$ignored")"
    printf '  uploaded:   %s\n' "$uploaded"
    printf '  skipped:    %s (already in the bucket)\n' "$skipped_now"
    printf '  failed:     %s\n' "$failed"
    ((!${delete_removed:-0})) || printf '  deleted:    %s\n' "$deleted_text"
    printf '  sent:       %s\n' "$sent"
    printf '  elapsed:    %s s, %s images/s, %s MB/s\n' "$elapsed" "$rate" "$byte_rate"
    if ((failed > 0)); then
      echo "Failures:"
      cat "$work/failure-lines"
    fi
  } | { tee -a "$log" 2>/dev/null || true; } >&2
  # Every image found ends uploaded, skipped or failed: counts that do not add up are a bug, said loudly.
  if [[ ${1:-} != unrecorded ]] && ((uploaded + skipped_now + failed != found || other > 0)); then
    say "$name: error: the counts do not add up: found $found, but uploaded + skipped + failed = $((uploaded + skipped_now + failed)) (and $other lines without a status); see $results"
    counts_wrong=1
  fi
  if [[ -s $failures ]]; then
    say "failures are in $failures (retry them with: $name --from-records $failures)"
  else
    rm -f "$failures"
  fi
  say "results: $results; log: $log"
  any_failed=$((failed > 0 || ${counts_wrong:-0} || ${delete_failed:-0} > 0))
}

# Runs in the background: a bar on a terminal, a plain line every 5 s otherwise. $1 = lines already in the
# results file, $2 = images to upload, $3 = their originals' bytes. Bytes are the originals' as the workers'
# spaces-put store them (each keeps its count in $work/progress/BATCH; a part counts once the server confirmed
# it), so a huge file moves the line part by part; the bar, the percentage and the ETA follow the bytes.
progress() {
  local base=$1 total=$2 total_bytes=$3 last_line=0 now done_count failed elapsed rate eta width filled bar bytes
  local byte_rate share sizes
  # Ends with the script even when the script is killed with SIGKILL and can't stop it ($$ is the script).
  # Only what is shown depends on the text of the lines (grep): the summary reads them as JSON.
  while kill -0 $$ 2>/dev/null && sleep 0.5; do
    now=$(date +%s)
    done_count=$(($(wc -l <"$results") - base))
    failed=$(grep -c '"status":"failed"' "$results" || true)
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    rate=$(awk -v d="$done_count" -v e="$elapsed" 'BEGIN { printf "%.1f", (e > 0 ? d / e : 0) }')
    bytes=$(awk 'FILENAME !~ /\.new$/ { sum += $1 } END { printf "%d", sum }' "$work"/progress/* 2>/dev/null)
    byte_rate=$(megabytes_per_second "${bytes:-0}" "$elapsed")
    # The share done: of the bytes when they are known, else of the images.
    read -r share eta < <(awk -v d="$done_count" -v t="$total" -v b="${bytes:-0}" -v tb="$total_bytes" -v e="$elapsed" 'BEGIN {
      f = tb > 0 ? b / tb : (t > 0 ? d / t : 1); if (f > 1) f = 1
      s = (f > 0 && e > 0) ? e * (1 - f) / f : 0
      printf "%d %d:%02d\n", f * 100, s / 60, s % 60 }')
    sizes=$(human_bytes "${bytes:-0}")
    ((total_bytes == 0)) || sizes+=" of $(human_bytes "$total_bytes")"  # records without sizes (--from-records)
    if ((tty)); then
      width=30
      filled=$((share * width / 100))
      printf -v bar '%*s' "$filled" ''
      printf -v bar '%s%*s' "${bar// /#}" $((width - filled)) ''
      printf '\r\033[K[%s] %d/%d images, %s (%d%%), %s img/s %s MB/s ETA %s failed %d' "${bar// /.}" "$done_count" \
        "$total" "$sizes" "$share" "$rate" "$byte_rate" "$eta" "$failed" >&2
    elif ((now - last_line >= 5)); then
      printf '%s: progress %d/%d images, %s (%d%%), %s img/s, %s MB/s, ETA %s, %d failed\n' "$name" "$done_count" \
        "$total" "$sizes" "$share" "$rate" "$byte_rate" "$eta" "$failed" >&2
      last_line=$now
    fi
  done
}
