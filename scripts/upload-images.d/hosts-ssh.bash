# shellcheck shell=bash
#/ usage: bash hosts-ssh.bash SSH-COMMAND... ARGS...   (parallel's --ssh under upload-images --hosts)
# The ssh of one try of a batch on a host. parallel keeps only a batch's last try, so this notes every try in
# $UPLOAD_IMAGES_TRIES for `upload-run joblog`: job (PARALLEL_SEQ), host, ssh's exit status and, for a try that
# failed, its last message (ssh's messages wait in a file until the try ends: parallel holds them anyway).
# Once the run is stopping, a batch not started yet ends at once, without ssh.
if [[ -n ${UPLOAD_IMAGES_STOP:-} && -e $UPLOAD_IMAGES_STOP ]]; then cat >/dev/null; exit 97; fi
[[ -n ${PARALLEL_SEQ:-} && -n ${UPLOAD_IMAGES_TRIES:-} ]] || exec "$@"
messages=$(mktemp "$UPLOAD_IMAGES_TRIES.XXXXXX") || exec "$@"
"$@" 2>"$messages"
status=$?
cat "$messages" >&2
last=""
((status == 0)) || last=$(tr -d '\r' <"$messages" | grep -v '^[[:space:]]*$' | tail -n 1 | tr '\t' ' ')
rm -f "$messages"
printf '%s\t%s\t%s\t%s\n' "$PARALLEL_SEQ" "${PARALLEL_SSHLOGIN:-?}" "$status" "${last:0:300}" >>"$UPLOAD_IMAGES_TRIES"
exit "$status"
