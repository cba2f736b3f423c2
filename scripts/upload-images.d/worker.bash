# shellcheck shell=bash
#/ usage: bash worker.bash BATCH     (run by upload-images through xargs, one batch file each)
# One batch through img-thumb | spaces-put, appending to $results. The options come from $work/thumb.args and
# $work/put.args, one NUL-terminated word each, so that no value is ever spliced into code. After a fatal
# error (2) or once the server stopped answering (3) it leaves the stop file, and later batches end at once.
# A stage that ends abnormally (a signal, or a status that is not an answer) leaves its reason beside the
# batch's name, for the records it never answered. It always exits 0: xargs must go on with the others.
set -o nounset
batch=$1
[[ -e $work/stop ]] && exit 0
mapfile -d "" thumb_args <"$work/thumb.args"
mapfile -d "" put_args <"$work/put.args"
"$bin/img-thumb" --out "$work/thumbs" "${thumb_args[@]}" <"$batch" \
  | "$bin/spaces-put" "${put_args[@]}" --progress-file "$work/progress/${batch##*/}" >>"$results"
statuses=("${PIPESTATUS[@]}")
# shellcheck source=/dev/null
source "$(dirname "$0")/processes.bash"
why=""
((statuses[0] == 0 || statuses[0] == 1)) || why=$(ending img-thumb "${statuses[0]}")
case ${statuses[1]} in
  0 | 1) ;;
  2) : >"$work/fatal"; : >"$work/stop" ;;
  3) : >"$work/unavailable"; : >"$work/stop" ;;
  130) ;;  # interrupted: it answered every record it read
  *) why="${why:+$why; }$(ending spaces-put "${statuses[1]}")" ;;
esac
[[ -z $why ]] || printf "%s\n" "$why" >"$work/died/${batch##*/}"
exit 0
