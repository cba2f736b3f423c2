# shellcheck shell=bash
# upload-images --hosts FILE / --sshlogin LOGINS: the batches run on other machines through GNU parallel over ssh
# (docs/hosts.md). Sourced by upload-images; uses $work, $bin, $parts and its step function. upload-run's steps
# read the hosts (start), the probe (probed), the answers (collect) and parallel's joblog (joblog).

# The ssh and parallel commands: ssh's options are upload-run's (HostDispatch); parallel runs with our settings
# only (no ~/.parallel, no $PARALLEL), its temporary files in the work folder.
hosts_prepare() {
  parallel --version 2>/dev/null | grep -q '^GNU parallel' \
    || { echo "upload-images: --hosts needs GNU parallel (Debian package parallel); 'parallel' here is not it, or missing" >&2; exit 2; }
  hosts_ssh=$(<"$work/ssh.command")
  mkdir -p "$work/parallel"
  hosts_parallel=(env -u PARALLEL PARALLEL_HOME="$work/parallel" parallel --will-cite --tmpdir "$work/parallel"
    --sshloginfile "$work/sshlogins")
  cp "$work/sshlogins" "$work/sshlogins.given"
}

# One ssh login per host while the folder is scanned (it opens the connection later logins reuse), within the
# probe's time limit: the commands must be where they are here or on the host's PATH. `upload-run probed` leaves
# out the hosts that failed, each with a warning.
hosts_probe_start() {
  # shellcheck disable=SC2016 # code for the host, where $1 is the folder of the commands here
  local code='if [[ -x $1/img-thumb && -x $1/spaces-put ]] || { command -v img-thumb && command -v spaces-put; } >/dev/null
then echo ok; else echo "img-thumb and spaces-put are neither in $1 nor on PATH ($PATH)"; fi'
  words probe
  "${hosts_parallel[@]}" --ssh "$hosts_ssh" "${probe[@]}" --joblog "$work/probe.joblog" \
    -q bash -c "$code" upload-images-probe "$bin" >"$work/probe.out" 2>"$work/probe.err" </dev/null &
  hosts_probe_pid=$!
}
hosts_probe_wait() {
  wait "$hosts_probe_pid" || true
  step probed
}

# Every batch through parallel, each after its header (hosts-worker.bash, sent as the command itself), until
# the stop file appears; the answers, framed, through `upload-run collect` into the results file. parallel
# tries a failed batch on another host and keeps only its last try's output; hosts-ssh.bash notes every try.
# The header (upload-run dispatch) holds the settings and this run's random tag, put before each record, so
# that no text a host prints can pass for one.
hosts_upload() {
  local header status parallel
  set +o errexit  # a batch that failed makes parallel's status non-zero: its review and the close still follow
  header=$(step dispatch) || return 2
  words parallel
  : >"$work/tries"
  : >"$work/ended"
  hosts_batches "$header" \
    | (export UPLOAD_IMAGES_TRIES="$work/tries" UPLOAD_IMAGES_STOP="$work/stop"
       exec "${hosts_parallel[@]}" --ssh "bash $(printf '%q' "$parts/hosts-ssh.bash") $hosts_ssh" \
         --pipe -N 1 --recstart $'\036upload-images-batch\t' -j 100% "${parallel[@]}" --joblog "$work/joblog" \
         -q bash -c "$(<"$parts/hosts-worker.bash")" upload-images-worker) \
    | step collect
  status=${PIPESTATUS[1]}
  step joblog
  hosts_close
  return "$status"
}

# Each batch after its header line, until a fatal error or an unavailable server stops the run.
hosts_batches() {
  local batch
  for batch in "$work"/batches/batch.*; do
    [[ ! -e $work/stop ]] || break
    printf '\036upload-images-batch\t%s\t%s\n%s\n' "${batch##*/}" "$1" "$(<"$batch")"
  done
}

# Ends the reused connections (their masters would otherwise linger ControlPersist seconds).
hosts_close() {
  local login
  [[ -d $work/ssh && -f $work/sshlogins.given ]] || return 0
  while IFS= read -r login; do
    login=${login#*/}
    [[ $login == : || $login == *" "* ]] || bash -c "$hosts_ssh -O exit $(printf '%q' "$login")" >/dev/null 2>&1 </dev/null || true
  done <"$work/sshlogins.given"
}
