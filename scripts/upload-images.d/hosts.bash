# shellcheck shell=bash
# upload-images --hosts FILE / --sshlogin LOGINS: the batches run on other machines through GNU parallel over ssh
# (docs/hosts.md). Sourced by upload-images; uses $work, $bin, $parts and its step function. upload-run's steps
# read the hosts (start), the probe (probed), the answers (collect) and parallel's joblog (joblog).

# The ssh and parallel commands. ssh takes an option's first value, so an -o in $PARALLEL_SSH wins over ours:
# BatchMode (no prompt), ConnectTimeout (--connect-timeout), ServerAlive (a host gone is noticed within a minute),
# and connection reuse (ControlMaster, its socket in the work folder when the path fits in 108 bytes). parallel
# runs with our settings only (no ~/.parallel, no $PARALLEL), its temporary files in the work folder.
hosts_prepare() {
  parallel --version 2>/dev/null | grep -q '^GNU parallel' \
    || { echo "upload-images: --hosts needs GNU parallel (Debian package parallel); 'parallel' here is not it, or missing" >&2; exit 2; }
  hosts_count=$(wc -l <"$work/sshlogins")
  hosts_login_seconds=$(<"$work/login-seconds")
  local control="$work/ssh/%C"
  hosts_ssh="${PARALLEL_SSH:-ssh} -o BatchMode=yes -o ConnectTimeout=$hosts_login_seconds -o ServerAliveInterval=15 -o ServerAliveCountMax=4"
  if ((${#control} + 40 < 104)); then
    mkdir -p "$work/ssh"
    hosts_ssh+=" -o ControlMaster=auto -o $(printf '%q' "ControlPath=$control") -o ControlPersist=15"
  fi
  mkdir -p "$work/parallel"
  hosts_parallel=(env -u PARALLEL PARALLEL_HOME="$work/parallel" parallel --will-cite --tmpdir "$work/parallel"
    --sshloginfile "$work/sshlogins")
  cp "$work/sshlogins" "$work/sshlogins.given"
}

# One ssh login per host while the folder is scanned (it opens the connection later logins reuse), with
# --connect-timeout to connect and as long again to answer: the commands must be where they are here or on
# the host's PATH. `upload-run probed` leaves out the hosts that failed, each with a warning.
hosts_probe_start() {
  # shellcheck disable=SC2016 # code for the host, where $1 is the folder of the commands here
  local code='if [[ -x $1/img-thumb && -x $1/spaces-put ]] || { command -v img-thumb && command -v spaces-put; } >/dev/null
then echo ok; else echo "img-thumb and spaces-put are neither in $1 nor on PATH ($PATH)"; fi'
  "${hosts_parallel[@]}" --ssh "$hosts_ssh" --nonall --tag -j "$hosts_count" --joblog "$work/probe.joblog" \
    --timeout "$((2 * hosts_login_seconds))" \
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
# Each record comes back behind this run's random tag, so no text a host prints can pass for one.
hosts_upload() {
  local words block status
  set +o errexit  # a batch that failed makes parallel's status non-zero: its review and the close still follow
  hosts_tag=$(head -c 9 /dev/urandom | base64 | tr '/+' '_-')
  words=$(hosts_words | base64 -w 0)
  # A block holds at least one whole batch, so that parallel never has to grow it (and warn).
  block=$(($(find "$work/batches" -name 'batch.*' -printf '%s\n' | sort -n | tail -n 1) + ${#words} + 1048576))
  : >"$work/tries"
  : >"$work/ended"
  hosts_batches "$words" \
    | (export UPLOAD_IMAGES_TRIES="$work/tries" UPLOAD_IMAGES_STOP="$work/stop"
       exec "${hosts_parallel[@]}" --ssh "bash $(printf '%q' "$parts/hosts-ssh.bash") $hosts_ssh" \
         --pipe -N 1 --recstart $'\036upload-images-batch\t' --block "$block" -j 100% \
         --retries "$((hosts_count > 2 ? hosts_count : 2))" --joblog "$work/joblog" \
         -q bash -c "$(<"$parts/hosts-worker.bash")" upload-images-worker) \
    | step collect --tag="$hosts_tag"
  status=${PIPESTATUS[1]}
  step joblog
  hosts_close
  return "$status"
}

# The header's words: where the commands are here, img-thumb's and spaces-put's options, the SPACES_* variables
# of the environment and the .env this run read (never on a command line: printf is bash's own).
hosts_words() {
  local word name settings=.env words
  [[ ! -f $work/env-file ]] || settings=$(<"$work/env-file")
  printf 'bin=%s\0tag=%s\0' "$bin" "$hosts_tag"
  mapfile -d '' words <"$work/host-thumb.args"
  for word in "${words[@]}"; do printf 'thumb=%s\0' "$word"; done
  mapfile -d '' words <"$work/host-put.args"
  for word in "${words[@]}"; do printf 'put=%s\0' "$word"; done
  for name in $(compgen -e); do [[ $name != SPACES_* ]] || printf 'env=%s=%s\0' "$name" "${!name}"; done
  [[ ! -f $settings ]] || printf 'settings=%s\0' "$(<"$settings")"
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
