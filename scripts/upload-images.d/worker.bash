# shellcheck shell=bash
#/ usage: bash worker.bash WORK BIN LANE     (run by upload-images through xargs, once per worker)
# One worker: img-thumb | spaces-put, appending to the results file, until no batch is left. img-thumb takes
# the batches from WORK/batches one at a time (renamed into WORK/lanes/LANE.ROUND, so what each worker took is
# on record): the workers share them to the end, and no process is started per batch. With --from-bucket
# (WORK/get.args), spaces-get takes the batches and downloads each original for img-thumb. After each round,
# `upload-run ended` reads how it ended and says whether to start another (a stage that died, batches left).
set -o nounset
work=$1 bin=$2 lane=$3
mapfile -d "" thumb_args <"$work/thumb.args"
mapfile -d "" put_args <"$work/put.args"
get_args=()
[[ ! -f $work/get.args ]] || mapfile -d "" get_args <"$work/get.args"
round=0
while :; do
  round=$((round + 1))
  claimed=$work/lanes/$lane.$round
  mkdir -p "$claimed"
  if ((${#get_args[@]})); then
    "$bin/spaces-get" "${get_args[@]}" --claim-into "$claimed" </dev/null | "$bin/img-thumb" "${thumb_args[@]}" \
      | "$bin/spaces-put" "${put_args[@]}" --progress-file "$work/progress/$lane.$round" >>"$work/results"
  else
    "$bin/img-thumb" "${thumb_args[@]}" --claim-into "$claimed" </dev/null \
      | "$bin/spaces-put" "${put_args[@]}" --progress-file "$work/progress/$lane.$round" >>"$work/results"
  fi
  "$bin/upload-run" ended --work "$work" --lane "$lane.$round" "${PIPESTATUS[@]}" || break
done
exit 0
