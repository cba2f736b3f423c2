# shellcheck shell=bash
# upload-images --delete-removed: what is gone from DIR, shown (--dry-run), guarded (--max-delete) and deleted.
# Sourced by upload-images; uses its variables ($work, $bin, $dir, $prefix, $results, $log and the
# option arrays) and functions (say, log_line, log_stream, die, summary, results_damaged, results_failed).
# spaces-exists --removed writes $work/removed.jsonl: one deletion record per object, originals first, each
# marked "refused" with the reason when the prune is refused (PruneGuard decides: an empty scan, the limits,
# --max-delete).

# Whether the prune was refused, and why (prune_reason).
prune_refused() {
  [[ -f $work/removed.jsonl ]] && grep -q '"refused":' "$work/removed.jsonl" || return 1
  prune_reason=$(jq -r 'select(.refused) | .refused' "$work/removed.jsonl" | head -n 1)
}

# How many objects would go, and of which kind: sets removed_count, removed_originals, removed_thumbnails.
count_removals() {
  removed_count=$(wc -l <"$work/removed.jsonl")
  removed_originals=$(grep -c '"kind":"original"' "$work/removed.jsonl" || true)
  removed_thumbnails=$((removed_count - removed_originals))
}

removals_text() {
  printf '%s whose image is gone (%s, %s)' "$(counted "$removed_count" object)" "$(counted "$removed_originals" original)" \
    "$(counted "$removed_thumbnails" thumbnail)"
}
counted() { printf '%d %s' "$1" "$2"; (($1 == 1)) || printf s; }

# --dry-run: every key that would be deleted, on stdout; the guard's verdict on stderr.
show_removals() {
  count_removals
  say "dry run: $(removals_text) would be deleted$( ((removed_count > 0)) && echo " (their deletion records on stdout)")"
  cat "$work/removed.jsonl"
  if prune_refused; then
    say "dry run: a real run would refuse to prune: $prune_reason"
  fi
}

# The guard, before any upload: a refused prune stops the run (exit 2). The first keys are shown, all of them
# logged.
refuse_too_many() {
  count_removals
  prune_refused || return 0
  say "$name: --delete-removed would delete $(removals_text):"
  jq -r '"  \(.key)"' "$work/removed.jsonl" | head -n 10 >&2
  ((removed_count <= 10)) || printf '  ... and %d more (all of them: --dry-run)\n' $((removed_count - 10)) >&2
  jq -r '"would delete \(.key)"' "$work/removed.jsonl" | while IFS= read -r line; do log_line "$line"; done
  die "refusing to prune: $prune_reason. Nothing was uploaded or deleted"
}

# After the uploads: one spaces-put --delete, its lines appended to the results file.
delete_removals() {
  if [[ -f $work/unavailable ]]; then
    say "nothing deleted: the server stopped answering"
    return 0
  fi
  ((removed_count > 0)) || return 0
  say "deleting $(removals_text)"
  local status=0
  "$bin/spaces-put" --delete --prefix "$prefix" "${key_rule_args[@]}" "${env_args[@]}" "${put_args[@]}" "${debug_args[@]}" \
    <"$work/removed.jsonl" >>"$results" 2> >(log_stream) || status=$?
  results_damaged && results_failed
  case $status in
    0 | 1 | 130) ;;  # 130: interrupted; the INT/TERM trap reports it
    2) summary; die "a fatal error stopped the deletion (see $log)" ;;
    *) summary; die "$(ending spaces-put "$status") while deleting (see $log)" ;;
  esac
}

# For the summary: deleted_text (its `deleted:` line) and delete_failed, from the results file's deletion lines.
count_deletions() {
  local deleted
  read -r deleted delete_failed < <(grep -F '"action":"delete"' "$results" 2>/dev/null \
    | jq -R -r 'fromjson? | select(type == "object" and .action == "delete") | .status // "none"' 2>/dev/null \
    | awk '{ count[$1]++ } END { printf "%d %d\n", count["deleted"], count["failed"] }')
  : "${deleted:=0}" "${delete_failed:=0}"
  deleted_text="$(counted "$deleted" object) whose image is gone"
  ((delete_failed == 0)) || deleted_text+=" ($delete_failed could not be deleted: see the results file)"
}
