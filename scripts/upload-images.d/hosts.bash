# shellcheck shell=bash
# upload-images --hosts FILE / --sshlogin LOGINS: the batches run on other machines, through GNU parallel over
# ssh, each host with its own number of workers and ':' standing for this machine. Sourced by upload-images;
# uses its variables ($work, $bin, $parts, $results, $workers, $env_file, $put_args, $upload_args, ...) and
# functions (say, die, usage_error, log_line).
#
# What stays on this machine: the scan, the decision, the progress, the results, summary and failures files.
# What goes to a host, per batch: the records on stdin after a header holding the commands' options and the
# settings (hosts-worker.bash says how; the secret key is never on a command line), and the code that runs
# them (hosts-worker.bash itself, as `bash -c CODE`). What comes back: the records as spaces-put answered
# them, framed so that a connection lost mid-line costs only the records it was carrying.
#
# A host that fails: parallel tries the batch on another host (--retries, one try per host) and keeps only the
# last try's output, so no record is answered twice. A batch whose last try failed too has its unanswered
# records reported failed with the host named (reconcile, through $work/died); --from-records finishes the job.

# --- the hosts: parallel's --sshloginfile form, each login with its count of workers ("2/h1", "4/:") -------
# Reads the --hosts files and --sshlogin lists (called by options.bash, so that a bad one stops the run before
# any work); a login without a count ("h1", not "4/h1") gets --workers. Sets hosts_entries and hosts_count.
hosts_read() {
  parallel --version 2>/dev/null | grep -q '^GNU parallel' \
    || die "--hosts needs GNU parallel (Debian package parallel); 'parallel' here is not it, or missing"
  local file line entries=() logins login entry where count
  for file in "${host_files[@]}"; do
    [[ -f $file && -r $file ]] || die "cannot read hosts file: $file"
    while IFS= read -r line || [[ -n $line ]]; do
      line=${line%$'\r'}
      line=${line#"${line%%[![:space:]]*}"}
      line=${line%"${line##*[![:space:]]}"}
      [[ -z $line || $line == \#* ]] || entries+=("--hosts $file"$'\t'"$line")
    done <"$file"
  done
  for line in "${host_logins[@]}"; do
    IFS=, read -r -a logins <<<"$line"
    for login in "${logins[@]}"; do [[ -z $login ]] || entries+=("--sshlogin"$'\t'"$login"); done
  done
  ((${#entries[@]})) || usage_error "--hosts/--sshlogin: no host given (one login a line, or LOGIN,LOGIN; ':' is this machine)"
  hosts_entries=()
  for entry in "${entries[@]}"; do
    where=${entry%%$'\t'*} line=${entry#*$'\t'} count=$workers
    # [@hostgroups/][ncpus/]sshlogin, as parallel reads it (hostgroups mean nothing here: dropped); an empty
    # count ("//usr/bin/myssh host") is none.
    [[ ! $line =~ ^@[^/]*/(.*)$ ]] || line=${BASH_REMATCH[1]}
    login=$line
    if [[ $line =~ ^([0-9]*)/(.+)$ ]]; then count=${BASH_REMATCH[1]:-$workers} login=${BASH_REMATCH[2]}; fi
    [[ $count =~ ^[0-9]{1,4}$ ]] && ((10#$count >= 1 && 10#$count <= 1000)) \
      || usage_error "$where: '$line': the workers before the '/' must be a whole number from 1 to 1000"
    hosts_entries+=("$((10#$count))/$login")
  done
  hosts_count=${#hosts_entries[@]}
}

# Writes $work/sshlogins, which parallel reads; workers becomes all the hosts' workers together (it sizes the
# batches); the ssh and parallel commands are made.
hosts_prepare() {
  local entry
  printf '%s\n' "${hosts_entries[@]}" >"$work/sshlogins"
  workers=0
  for entry in "${hosts_entries[@]}"; do workers=$((workers + ${entry%%/*})); done
  hosts_ssh_command
  hosts_parallel_command
  log_line "hosts given: ${hosts_entries[*]}"
}

# The ssh command parallel runs: the user's ($PARALLEL_SSH, as parallel reads it: `ssh -F my_config`), then ours.
# ssh takes an option's first value, so an -o in PARALLEL_SSH wins over these:
# - BatchMode: no password prompt nobody could answer;
# - ConnectTimeout (--connect-timeout, whole seconds) and ServerAlive (a host gone without closing its
#   connections is noticed within a minute);
# - connection reuse: the first session to a host becomes its master, the others ride on it (ControlPersist
#   keeps it 15 s after the last); the socket in the work folder, when the path fits in a socket's 108 bytes.
hosts_ssh_command() {
  local seconds=10 control="$work/ssh/%C"
  [[ -z $connect_timeout ]] || seconds=$(awk -v s="$connect_timeout" 'BEGIN { printf "%d", s == int(s) ? s : int(s) + 1 }')
  hosts_login_seconds=$seconds
  hosts_ssh="${PARALLEL_SSH:-ssh} -o BatchMode=yes -o ConnectTimeout=$seconds -o ServerAliveInterval=15 -o ServerAliveCountMax=4"
  if ((${#control} + 40 < 104)); then
    mkdir -p "$work/ssh"
    hosts_ssh+=" -o ControlMaster=auto -o $(printf '%q' "ControlPath=$control") -o ControlPersist=15"
  fi
}

# parallel with our settings only: no ~/.parallel (profiles, caches) and no $PARALLEL options, which could
# change what its output looks like; its temporary files (the jobs' output) in the work folder. The ssh
# command and the rest follow.
hosts_parallel=()
hosts_parallel_command() {
  mkdir -p "$work/parallel"
  hosts_parallel=(env -u PARALLEL PARALLEL_HOME="$work/parallel" parallel --will-cite --tmpdir "$work/parallel"
    --sshloginfile "$work/sshlogins")
}

# --- before any work: can each host run a batch? ----------------------------------------------------------
# One ssh login per host (while the folder is scanned), which also opens the connection later logins reuse:
# the commands must be where they are here or on the host's PATH. A host that fails is left out with a warning
# saying why; when none is left, the run stops (exit 2) before any upload. A login has --connect-timeout to
# connect and as long again to answer: a host whose login files hang (a stale lock, a prompt) is left out
# instead of holding the run.
hosts_probe_start() {
  # shellcheck disable=SC2016 # code for the host, where $1 is the folder of the commands here
  local code='if [[ -x $1/img-thumb && -x $1/spaces-put ]] || { command -v img-thumb && command -v spaces-put; } >/dev/null
then echo ok; else echo "img-thumb and spaces-put are neither in $1 nor on PATH ($PATH)"; fi'
  cp "$work/sshlogins" "$work/sshlogins.given"
  "${hosts_parallel[@]}" --ssh "$hosts_ssh" --nonall --tag -j "$hosts_count" --joblog "$work/probe.joblog" \
    --timeout "$((2 * hosts_login_seconds))" \
    -q bash -c "$code" upload-images-probe "$bin" >"$work/probe.out" 2>"$work/probe.err" </dev/null &
  hosts_probe_pid=$!
}

hosts_probe_wait() {
  wait "$hosts_probe_pid" || true
  local entry login why kept=0
  : >"$work/sshlogins.kept"
  while IFS= read -r entry; do
    login=${entry#*/}
    if grep -qxF -- "$login"$'\t'ok "$work/probe.out"; then
      echo "$entry" >>"$work/sshlogins.kept"
      kept=$((kept + 1))
      continue
    fi
    # --tag puts the login before each line; ssh ends its own with CR LF, after which parallel tags the rest.
    why=$(cat "$work/probe.out" "$work/probe.err" | LC_ALL=C awk -v login="$login" '
      index($0, login "\t") == 1 { line = substr($0, length(login) + 2); sub(/\r.*/, "", line)
        if (line != "" && line != "ok") { print line; exit } }')
    # parallel's joblog: a probe it stopped at --timeout failed after running that long (ssh ends with 255).
    if [[ -z $why ]] && LC_ALL=C awk -F '\t' -v login="$login" -v limit="$((2 * hosts_login_seconds))" \
      '$2 == login && $7 != 0 && $4 + 0.5 >= limit { found = 1 } END { exit !found }' "$work/probe.joblog" 2>/dev/null; then
      why="its login did not answer within $((2 * hosts_login_seconds)) s (--connect-timeout to connect, as long again to log in)"
    fi
    say "$name: warning: host $login is left out: ${why:-it did not answer}"
    workers=$((workers - ${entry%%/*}))
  done <"$work/sshlogins"
  ((kept > 0)) || die "no host can run the upload (see the warnings above); nothing was uploaded"
  mv "$work/sshlogins.kept" "$work/sshlogins"
  hosts_count=$kept
  local names=""
  while IFS= read -r entry; do
    login=${entry#*/}
    [[ $login != : ]] || login="this machine"
    names+="${names:+, }$login (${entry%%/*} worker$( ((${entry%%/*} == 1)) || echo s))"
  done <"$work/sshlogins"
  say "hosts: $names"
}

# --- the upload -------------------------------------------------------------------------------------------
# Every batch through parallel: the batch files in order (job N is batch N-1), each after its header, until
# the stop file appears (parallel may have read some more by then: those end at once, with status 97); the
# answers through hosts_collect into the results file. Returns 0 unless parallel itself failed (a batch that
# failed is one whose records reconcile reports).
hosts_upload() {
  local words code block status
  # Each record line comes back behind this run's tag (hosts-worker.bash): text that a host's login files or
  # their leftovers print can never pass for a record.
  hosts_tag=$(head -c 9 /dev/urandom | base64 | tr '/+' '_-')
  words=$(hosts_words | base64 -w 0)
  code="$(declare -f ending)"$'\n'"$(<"$parts/hosts-worker.bash")"
  # A block holds at least one whole batch, so that parallel never has to grow it (and warn).
  block=$(find "$work/batches" -name 'batch.*' -printf '%s\n' | sort -n | tail -n 1)
  block=$((block + ${#words} + 4096 > 1048576 ? block + ${#words} + 4096 : 1048576))
  : >"$work/tries"
  : >"$work/ended"
  hosts_batches "$words" \
    | (export UPLOAD_IMAGES_TRIES="$work/tries" UPLOAD_IMAGES_STOP="$work/stop"
       exec "${hosts_parallel[@]}" --ssh "bash $(printf '%q' "$parts/hosts-ssh.bash") $hosts_ssh" \
         --pipe -N 1 --recstart $'\036upload-images-batch\t' --block "$block" -j 100% \
         --retries "$((hosts_count > 2 ? hosts_count : 2))" --joblog "$work/joblog" \
         -q bash -c "$code" upload-images-worker) \
    | hosts_collect "$hosts_tag" | while IFS= read -r line; do log_line "$line"; done
  status=${PIPESTATUS[1]}
  hosts_review | while IFS= read -r line; do log_line "$line"; done
  hosts_close
  # parallel's status counts the failed jobs (101: more than 100); anything else is its own failure.
  ((status <= 101)) || return "$status"
}

# The header's words (hosts-worker.bash reads them): where the commands are here, img-thumb's and spaces-put's
# options (not --env-file: the settings come along instead), SPACES_* variables of the environment, which win
# over the file as they do here, and the .env this run read. printf is bash's own: nothing here is ever an
# argument of a program.
hosts_words() {
  local word name settings=$env_file thumb_words
  printf 'bin=%s\0' "$bin"
  printf 'tag=%s\0' "$hosts_tag"
  mapfile -d '' thumb_words <"$work/thumb.args"
  for word in "${thumb_words[@]}"; do printf 'thumb=%s\0' "$word"; done
  for word in "${put_args[@]}" "${upload_args[@]}" "${debug_args[@]}"; do printf 'put=%s\0' "$word"; done
  for name in $(compgen -e); do [[ $name != SPACES_* ]] || printf 'env=%s=%s\0' "$name" "${!name}"; done
  [[ -n $settings || ! -f .env ]] || settings=.env
  [[ -z $settings ]] || printf 'settings=%s\0' "$(<"$settings")"
}

# Each batch after its header line, until a fatal error or an unavailable server stops the run.
hosts_batches() {
  local batch
  for batch in "$work"/batches/batch.*; do
    [[ ! -e $work/stop ]] || break
    printf '\036upload-images-batch\t%s\t%s\n%s\n' "${batch##*/}" "$1" "$(<"$batch")"
  done
}

# Reads parallel's output, the last try of each batch, framed by hosts-worker.bash: RS begin, the records (each
# line behind US and the run's tag), RS end with how the batch ended, RS. Whole records go to the results file;
# a line cut short (a connection lost mid-line) is left out, so reconcile fails its record. Any other text (a
# host's login files print banners, pyenv's or conda's messages, before the batch or, from what they left
# running, during it) is never a record: it is logged once per host, and the records go on. A batch that did
# not end well leaves its reason for reconcile, and a fatal error or an unavailable server stops the run as
# they do without hosts: the stop file makes every batch not started yet end at once (hosts-ssh.bash,
# hosts-worker.bash), while those running finish. (Sending parallel SIGHUP instead left it waiting forever, in
# --pipe mode, for input it no longer read.) Log lines on stdout.
# In perl, which parallel is written in: it hands over each RS-ended piece as soon as it arrives, where awk
# (mawk) waits for a full buffer, and the stop must not wait for the next batch to end.
hosts_collect() {
  perl -e '
    use strict;
    use warnings;
    my ($results, $work, $tag) = @ARGV;
    $/ = "\036";
    $| = 1;
    my ($batch, $host, $answered) = ("?", "?", 0);
    my (%told, @stray);
    sub touch { my ($path, $text) = @_; open(my $file, ">", $path) or return; print $file ($text // ""); close($file) }
    # Text that is not ours, logged the first time a host sends any (its host is known at the next frame).
    sub stray { my ($where) = @_;
      if (@stray and $where ne "?" and !$told{$where}++) {
        my $text = join(" | ", map { substr($_, 0, 200) } grep { /\S/ } @stray);
        print "host $where printed text that is not a record (its login files?), left out: $text\n";
        print "host $where: such text is logged once per host\n";
      }
      @stray = () if $where ne "?";
    }
    while (my $piece = <STDIN>) {
      chomp $piece;
      next if $piece eq "";
      # The last line is empty when the piece ends with a newline; otherwise it is a line cut short.
      my @lines = split /\n/, $piece, -1;
      my @head = split /\t/, $lines[0], -1;
      if ($head[0] eq "begin") {
        shift @lines;
        ($batch, $host, $answered) = ($head[1] // "?", $head[2] // "?", 0);
        stray($host);
        my $cut = pop(@lines) // "";
        open(my $out, ">>", $results) or warn "upload-images: cannot write $results: $!\n";
        for my $line (@lines) {
          if ($line =~ /^\037\Q$tag\E\t(\{.*\})$/) { print $out "$1\n"; $answered++ }
          elsif ($line =~ /\S/) { push @stray, $line }
        }
        close($out) or warn "upload-images: cannot write $results: $!\n";
        stray($host);
        if ($cut =~ /^\037\Q$tag\E\t/) { print "$batch on $host: a line cut short, left out: ", substr($cut, 0, 200), "\n" }
        elsif ($cut =~ /\S/) { push @stray, $cut }
      } elsif ($head[0] eq "end") {
        my ($status, $reason) = ($head[2] // "died", $head[4] // "");
        ($batch, $host) = ($head[1] // "?", $head[3] // "?");
        push @stray, @lines[1 .. $#lines];
        stray($host);
        if (open(my $ended, ">>", "$work/ended")) { print $ended "$batch\n" }
        if ($status eq "ok") { print "$batch on $host: $answered results\n"; next }
        print "$batch on $host: $answered results, then $status: $reason\n";
        touch("$work/died/$batch", "on $host: $reason\n") if $status ne "unavailable";
        if ($status eq "fatal" or $status eq "unavailable") {
          touch("$work/$status");
          touch("$work/stop");
        }
      } else {
        push @stray, @lines;
      }
    }' "$results" "$work" "$1"
}

# After the upload, from parallel's joblog (each batch's last try) and hosts-ssh.bash's notes (every try on a
# host): how long each batch's last try took, where; a batch tried more than once says where and why each
# try failed; one whose last try ended without
# its end line (the connection failed or was lost) leaves its reason for reconcile. Log lines on stdout.
hosts_review() {
  [[ -f $work/joblog ]] || return 0
  LC_ALL=C awk -F '\t' -v work="$work" '
    FILENAME ~ /\/tries$/ {
      tried[$1] = tried[$1] (tried[$1] == "" ? "" : "; ") $2 ($3 == 0 ? " ok" : " failed (exit " $3 ($4 == "" ? "" : ": " $4) ")")
      tries[$1]++
      next
    }
    FILENAME ~ /\/ended$/ { ended[$1] = 1; next }
    $1 !~ /^[0-9]+$/ || $7 == 97 { next }
    {
      batch = sprintf("batch.%06d", $1 - 1)
      host = $2 == ":" ? "this machine" : $2
      if ($2 == ":") tried[$1] = tried[$1] (tried[$1] == "" ? "" : "; ") "this machine " ($7 == 0 ? "ok" : "failed (exit " $7 ")")
      printf "%s took %.3f s on %s\n", batch, $4, host
      if (tries[$1] + ($2 == ":") > 1) print batch ": " tries[$1] + ($2 == ":") " tries: " tried[$1]
      if (($7 != 0 || $8 != 0) && !(batch in ended)) {
        why = $7 == 255 ? "the ssh connection failed or was lost (ssh exit 255)" \
          : $8 != 0 ? "its job was killed by signal " $8 : "its job exited with status " $7
        print "on " host ": " why > (work "/died/" batch); close(work "/died/" batch)
        print batch " on " host ": " why
      }
    }' "$work/tries" "$work/ended" "$work/joblog"
}

# Ends the reused connections (their masters would otherwise linger ControlPersist seconds), after the upload
# and when the run ends early.
hosts_close() {
  local logins=$work/sshlogins.given
  [[ -f $logins ]] || logins=$work/sshlogins
  [[ -d $work/ssh && -f $logins ]] || return 0
  local login
  while IFS= read -r login; do
    login=${login#*/}
    [[ $login == : || $login == *" "* ]] || bash -c "$hosts_ssh -O exit $(printf '%q' "$login")" >/dev/null 2>&1 </dev/null || true
  done <"$logins"
}
