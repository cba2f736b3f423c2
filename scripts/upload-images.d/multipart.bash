# shellcheck shell=bash
# upload-images: --abort-incomplete, run once before the uploads. Sourced by upload-images; uses its variables
# ($bin, $work, $prefix, $abort_incomplete, env_args, put_args, debug_args) and functions (say, log_line, log_stream).

# Aborts the multipart uploads under PREFIX/ that killed runs left, started more than AGE ago by the server's
# clock (spaces-put --abort-incomplete), and says how many. One that cannot be aborted, or a listing that fails,
# is a warning: the run goes on, and the next run tries again.
# Without --abort-incomplete: says how many incomplete uploads of originals a stopped run left (one listing;
# spaces-put --list-incomplete words it). A listing that fails costs the run nothing.
report_incomplete_uploads() {
  "$bin/spaces-put" --list-incomplete --prefix "$prefix" "${key_rule_args[@]}" "${env_args[@]}" "${put_args[@]}" \
    "${debug_args[@]}" </dev/null >/dev/null 2>"$work/incomplete.err" || true
  log_stream <"$work/incomplete.err"
  grep -F 'that a stopped run left' "$work/incomplete.err" >&2 || true
}

abort_incomplete_uploads() {
  local status=0 aborted failed
  "$bin/spaces-put" --abort-incomplete "$abort_incomplete" --prefix "$prefix" "${key_rule_args[@]}" "${env_args[@]}" "${put_args[@]}" \
    "${debug_args[@]}" >"$work/aborted.jsonl" 2>"$work/aborted.err" || status=$?
  log_stream <"$work/aborted.err"
  jq -r '"aborted incomplete upload \(.upload_id) of \(.key), started \(.age) s ago: \(.status)"' "$work/aborted.jsonl" 2>/dev/null \
    | while IFS= read -r line; do log_line "$line"; done
  aborted=$(grep -c '"status":"aborted"' "$work/aborted.jsonl" || true)
  failed=$(grep -c '"status":"failed"' "$work/aborted.jsonl" || true)
  if ((status > 1)); then
    say "$name: warning: could not list the incomplete multipart uploads under ${prefix%/}/ (spaces-put exit $status); none aborted"
  elif ((aborted + failed > 0)); then
    say "aborted $aborted incomplete multipart upload(s) under ${prefix%/}/ started more than $abort_incomplete ago$( ((failed == 0)) || echo "; $failed could not be (see the log)")"
  else
    log_line "no incomplete multipart upload under ${prefix%/}/ started more than $abort_incomplete ago"
  fi
}
