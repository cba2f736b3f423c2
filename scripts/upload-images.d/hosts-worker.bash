# shellcheck shell=bash
# upload-images --hosts: one batch through img-thumb | spaces-put on one host (a host of --hosts, or this machine
# for ':'), run by GNU parallel as `bash -c CODE upload-images-worker`. This file, after processes.bash's
# `ending`, is CODE: it travels with the command, so a host needs no file of the toolkit but img-thumb and
# spaces-put (and bash, coreutils, and the perl that parallel's remote wrapper runs).
#
# stdin: one header line, then the batch's records. The header is RS (0x1e) "upload-images-batch" TAB NAME TAB
# WORDS, WORDS being base64 of NUL-terminated words: bin=DIR (where the commands are here), thumb=ARG and
# put=ARG (img-thumb's and spaces-put's options), env=SPACES_NAME=VALUE (settings from the environment) and
# settings=TEXT (the .env). The secret key thus travels inside the ssh connection, never on a command line,
# whose words anyone on the host sees in ps. spaces-put reads the settings from a file that is deleted as soon
# as it is open (/dev/fd/3 reopens it): they are on the host's disk for an instant, in a folder only the user
# can enter, even when the batch is killed.
#
# stdout: RS "begin" TAB NAME TAB HOST, the records as spaces-put answers them, each line behind US (0x1f), TAG
# and TAB, one write each (sed -u), so that nothing else the host prints, its login files' banners or what they
# leave running, can pass for a record or split one; then RS "end" TAB NAME TAB
# STATUS TAB HOST TAB REASON, then RS. STATUS is ok, fatal (spaces-put exited 2), unavailable (3: the server stopped
# answering) or died (a stage was killed or ended with a status that is not an answer, or the commands are
# missing). RS never occurs in a JSON text (RFC 7464 puts it before each text for that reason): a line cut short
# by a lost connection is dropped at the next RS instead of running into the next batch's first line.
# Exit status: 0 when ok; otherwise 2-6, so that parallel tries the batch on another host (--retries), and only
# the last try's output reaches upload-images; 97 when the run was stopping (it writes nothing then).
set -o nounset
# Here (':'), once the run is stopping, a batch not started yet ends at once; hosts-ssh.bash does it for hosts.
if [[ -n ${UPLOAD_IMAGES_STOP:-} && -e $UPLOAD_IMAGES_STOP ]]; then cat >/dev/null; exit 97; fi
host=${PARALLEL_SSHLOGIN:-:}
[[ $host != : ]] || host="this machine"
batch="?"
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
if [[ ! -x $thumb || ! -x $put ]]; then
  if ! thumb=$(command -v img-thumb) || ! put=$(command -v spaces-put); then
    finish died 5 "img-thumb and spaces-put are neither in $bin nor on PATH ($PATH)"
  fi
fi

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

why=""
((statuses[0] == 0 || statuses[0] == 1)) || why=$(ending img-thumb "${statuses[0]}")
case ${statuses[1]} in
  0 | 1) ;;
  2) finish fatal 2 "${why:+$why; }spaces-put stopped: a fatal error (its message is in the log)" ;;
  3) finish unavailable 3 "the server stopped answering" ;;
  *) why="${why:+$why; }$(ending spaces-put "${statuses[1]}")" ;;
esac
[[ -z $why ]] || finish died 4 "$why"
finish ok 0 ""
