# shellcheck shell=bash
#/ usage: bash worker.bash LANE     (run by upload-images through xargs, once per worker)
# One worker: one img-thumb | spaces-put for the whole run, appending to $results. img-thumb takes the
# batches from $work/batches one at a time until none is left (renamed into $work/lanes/LANE.ROUND, so what
# each worker took is on record): the workers share them to the end, and no process is started per batch.
# The options come from $work/thumb.args and $work/put.args, one NUL-terminated word each, so that no value is
# ever spliced into code. After a fatal error (2) or once the server stopped answering (3) it leaves the stop
# file and moves the batches not taken yet to $work/unstarted, so that every worker ends after its batch in
# hand. A stage that ends abnormally (a signal, or a status that is not an answer) leaves its reason in
# $work/died/LANE.ROUND, for the records of the batches it took and never answered, and the worker starts a
# new pair for the batches left (unless that pair took none). It always exits 0: xargs must go on.
set -o nounset
lane=$1
mapfile -d "" thumb_args <"$work/thumb.args"
mapfile -d "" put_args <"$work/put.args"
# shellcheck source=/dev/null
source "$(dirname "$0")/processes.bash"
round=0
while [[ ! -e $work/stop ]] && compgen -G "$work/batches/batch.*" >/dev/null; do
  round=$((round + 1))
  taken="$work/lanes/$lane.$round"
  mkdir -p "$taken"
  "$bin/img-thumb" --records-only --out "$work/thumbs" "${thumb_args[@]}" --batches "$work/batches" --claim-into "$taken" </dev/null \
    | "$bin/spaces-put" --records-only "${put_args[@]}" --progress-file "$work/progress/$lane.$round" >>"$results"
  statuses=("${PIPESTATUS[@]}")
  why=""
  ((statuses[0] == 0 || statuses[0] == 1)) || why=$(ending img-thumb "${statuses[0]}")
  case ${statuses[1]} in
    0 | 1) ;;
    2) : >"$work/fatal"; : >"$work/stop"; mv "$work/batches" "$work/unstarted" 2>/dev/null ;;
    3) : >"$work/unavailable"; : >"$work/stop"; mv "$work/batches" "$work/unstarted" 2>/dev/null ;;
    130) ;;  # interrupted: it answered every record it read
    *) why="${why:+$why; }$(ending spaces-put "${statuses[1]}")" ;;
  esac
  [[ -n $why ]] || break
  printf "%s\n" "$why" >"$work/died/$lane.$round"
  [[ -n $(ls -A "$taken") ]] || break
done
exit 0
