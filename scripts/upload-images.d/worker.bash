# shellcheck shell=bash
#/ usage: bash worker.bash WORK BIN LANE     (run by upload-images through xargs, once per worker)
# One worker: img-thumb | spaces-put, appending to the results file, until no batch is left. img-thumb takes
# the batches from WORK/batches one at a time (renamed into WORK/lanes/LANE.ROUND, so what each worker took is
# on record): the workers share them to the end, and no process is started per batch. After each pair,
# `upload-run ended` reads how it ended and says whether to start another (a stage that died, batches left).
set -o nounset
work=$1 bin=$2 lane=$3
mapfile -d "" thumb_args <"$work/thumb.args"
mapfile -d "" put_args <"$work/put.args"
round=0
while :; do
  round=$((round + 1))
  mkdir -p "$work/lanes/$lane.$round"
  "$bin/img-thumb" "${thumb_args[@]}" --claim-into "$work/lanes/$lane.$round" </dev/null \
    | "$bin/spaces-put" "${put_args[@]}" --progress-file "$work/progress/$lane.$round" >>"$work/results"
  "$bin/upload-run" ended --work "$work" --lane "$lane.$round" "${PIPESTATUS[@]}" || break
done
exit 0
