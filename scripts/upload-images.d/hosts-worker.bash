# shellcheck shell=bash
# upload-images --hosts: one batch through img-thumb | spaces-put on one host (or this machine for ':'), run by
# GNU parallel as `bash -c CODE upload-images-worker`: this file is CODE, so a host needs only img-thumb and
# spaces-put. stdin: RS "upload-images-batch" TAB NAME TAB WORDS (base64 of NUL-terminated bin=, thumb=, put=,
# env= and settings= words: the secret travels in the ssh connection, never on a command line), then the
# records. stdout, framed for `upload-run collect` (HostFrames): RS begin, each answer behind US, the run's tag
# and TAB, then RS end TAB NAME TAB exit:T:P (the stages' statuses) or died TAB HOST TAB REASON, RS. The format
# and why: docs/hosts.md. Exit 0 when both stages answered every record, else non-zero (parallel then tries
# the batch on another host); 97 when the run was stopping.
set -o nounset
# Here (':'), once the run is stopping, a batch not started yet ends at once; hosts-ssh.bash does it for hosts.
if [[ -n ${UPLOAD_IMAGES_STOP:-} && -e $UPLOAD_IMAGES_STOP ]]; then cat >/dev/null; exit 97; fi
host=${PARALLEL_SSHLOGIN:-:} batch="?"
[[ $host != : ]] || host="this machine"
finish() {  # STATUS EXIT REASON (the RS after the end line lets the reader take it without waiting for more)
  printf '\036end\t%s\t%s\t%s\t%s\n\036' "$batch" "$1" "$host" "$3"
  exit "$2"
}

IFS=$'\t' read -r marker batch words || finish died 6 "no batch on stdin"
[[ $marker == $'\036upload-images-batch' ]] || finish died 6 "no batch header on stdin"
printf '\036begin\t%s\t%s\n' "$batch" "$host"
bin="" tag="" settings="" thumb_args=() put_args=()
mapfile -d '' decoded < <(printf '%s' "$words" | base64 -d)
for word in "${decoded[@]}"; do
  case $word in
    bin=*) bin=${word#bin=} ;;
    tag=*) tag=${word#tag=} ;;
    thumb=*) thumb_args+=("${word#thumb=}") ;;
    put=*) put_args+=("${word#put=}") ;;
    settings=*) settings=${word#settings=} ;;
    env=*) [[ ${word#env=} =~ ^SPACES_[A-Za-z0-9_]*= ]] && export "${word#env=}" ;;
  esac
done

# The commands: where upload-images found them on its own machine, else on this host's PATH.
thumb=$bin/img-thumb put=$bin/spaces-put
[[ -x $thumb && -x $put ]] || { thumb=$(command -v img-thumb) && put=$(command -v spaces-put); } \
  || finish died 5 "img-thumb and spaces-put are neither in $bin nor on PATH ($PATH)"

# The thumbnails go to a private folder of this batch's, removed at the end whatever happens.
folder=$(mktemp -d "${TMPDIR:-/tmp}/upload-images-batch.XXXXXX") || finish died 5 "cannot make a temporary folder in ${TMPDIR:-/tmp}"
trap 'rm -rf "$folder"' EXIT
trap 'exit 143' TERM HUP INT
(umask 077 && printf '%s\n' "$settings" >"$folder/settings.env") || finish died 5 "cannot write in $folder"
exec 3<"$folder/settings.env"
rm -f "$folder/settings.env"
# The stages' messages name the host they come from.
exec 4>&2 2> >(while IFS= read -r line; do printf '%s: %s\n' "$host" "$line"; done >&4)
prefixer=$!
"$thumb" --records-only --out "$folder" "${thumb_args[@]}" | "$put" --records-only --env-file /dev/fd/3 "${put_args[@]}" | sed -u "s/^/"$'\037'"$tag"$'\t'"/"
statuses=("${PIPESTATUS[@]}")
exec 2>&4 3<&-
wait "$prefixer" 2>/dev/null

# Not 0 when a stage did not answer every record (spaces-put's status, else img-thumb's): parallel tries again.
code=${statuses[1]} && ((code > 1)) || code=0
((code || statuses[0] <= 1)) || code=${statuses[0]}
finish "exit:${statuses[0]}:${statuses[1]}" "$code" ""
