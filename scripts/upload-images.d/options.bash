# shellcheck shell=bash
# upload-images: its command line, parsed into variables and checked, each bad value a usage error (64)
# before any work. Sourced by upload-images with its arguments; uses its usage and usage_error.

presign=""
dir="" workers=1 batch_size=100 prefix=avatar skip_existing=1 dry_run=0 env_file="" from_records="" debug=0
retries="" connect_timeout="" stall_timeout=""
# img-scan's --include/--exclude rules, in the order given (the order decides), and --include-hidden.
scan_args=()
# The rules alone (not --thumbnails), which spaces-exists --removed needs to keep what the scan leaves out.
rule_args=()
# What spaces-put --delete and --abort-incomplete need of the rules: which keys a scan can make.
key_rule_args=()
# --extensions alone (spaces-exists: which originals in the bucket are images).
extension_arg=()
crop=""
delete_removed=0 max_delete="" max_delete_given=0
limit_rate="" limit_rate_given=0 meta=() content_disposition="" content_disposition_given=0
multipart_threshold="" part_size="" part_concurrency="" abort_incomplete=""
# --hosts FILE and --sshlogin LOGINS (repeatable): the batches run there (hosts.bash).
host_files=() host_logins=()
# An option's value is the next word; a missing one is a usage error, not a silent default.
value_of() { (($# >= 2)) || usage_error "$1 needs a value"; }
while (($#)); do
  case $1 in
    -h | --help) usage 0 ;;
    --version) printf '%s %s\n' "$name" "$(version)"; exit 0 ;;
    --workers) value_of "$@"; workers=$2; shift ;;
    --batch-size) value_of "$@"; batch_size=$2; shift ;;
    --prefix) value_of "$@"; prefix=$2; shift ;;
    --env-file) value_of "$@"; env_file=$2; shift ;;
    --from-records) value_of "$@"; from_records=$2; shift ;;
    --retries) value_of "$@"; retries=$2; shift ;;
    --connect-timeout) value_of "$@"; connect_timeout=$2; shift ;;
    --stall-timeout) value_of "$@"; stall_timeout=$2; shift ;;
    --include | --exclude)
      value_of "$@"
      [[ -n $2 ]] || usage_error "$1 needs a pattern (got an empty one)"
      scan_args+=("$1" "$2"); rule_args+=("$1" "$2"); shift ;;
    --include-hidden) scan_args+=(--include-hidden); rule_args+=(--include-hidden); key_rule_args+=(--include-hidden) ;;
    --extensions) value_of "$@"; scan_args+=("$1" "$2"); rule_args+=("$1" "$2"); key_rule_args+=("$1" "$2"); extension_arg=("$1" "$2"); shift ;;
    --thumbnails | --thumbnail-names) value_of "$@"; scan_args+=("$1" "$2"); shift ;;
    --crop) value_of "$@"; crop=${2/#center/centre}; shift ;;
    --max-delete) value_of "$@"; max_delete=$2 max_delete_given=1; shift ;;
    --max-delete=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --delete-removed) delete_removed=1 ;;
    --limit-rate) value_of "$@"; limit_rate=$2; limit_rate_given=1; shift ;;
    --meta) value_of "$@"; meta+=("$2"); shift ;;
    --content-disposition) value_of "$@"; content_disposition=$2; content_disposition_given=1; shift ;;
    --hosts) value_of "$@"; host_files+=("$2"); shift ;;
    --sshlogin) value_of "$@"; host_logins+=("$2"); shift ;;
    --hosts=* | --sshlogin=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --limit-rate=* | --meta=* | --content-disposition=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --multipart-threshold) value_of "$@"; multipart_threshold=$2; shift ;;
    --part-size) value_of "$@"; part_size=$2; shift ;;
    --part-concurrency) value_of "$@"; part_concurrency=$2; shift ;;
    --abort-incomplete) value_of "$@"; abort_incomplete=$2; shift ;;
    --multipart-threshold=* | --part-size=* | --part-concurrency=* | --abort-incomplete=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --presign) value_of "$@"; presign=$2; shift ;;
    --presign=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --no-skip-existing) skip_existing=0 ;;
    --dry-run) dry_run=1 ;;
    --debug) debug=1 ;;
    --workers=* | --batch-size=* | --prefix=* | --env-file=* | --from-records=* | --retries=* | --connect-timeout=* | --stall-timeout=* | --include=* | --exclude=* | --thumbnails=* | --thumbnail-names=* | --extensions=* | --crop=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    -*) usage_error "unknown option $1" ;;
    *) [[ -z $dir ]] || usage_error "one folder only"; dir=$1 ;;
  esac
  shift
done
# The same rules as the commands' own (spaces-put, spaces-exists, img-scan), checked here before any work:
# a value every worker would refuse must not become a run that uploads nothing.
[[ -z $crop || $crop == centre || $crop == center || $crop == attention || $crop == entropy ]] \
  || usage_error "--crop must be centre, attention or entropy (got '$crop')"
in_range() { [[ $1 =~ ^[0-9]{1,7}$ ]] && ((10#$1 >= $2 && 10#$1 <= $3)); }
[[ -n $dir || -n $from_records ]] || usage_error "which folder? upload-images DIR"
in_range "$workers" 1 1000 || usage_error "--workers must be a whole number from 1 to 1000"
in_range "$batch_size" 1 1000000 || usage_error "--batch-size must be a whole number from 1 to 1000000"
# --max-delete's rules (the default limits, the empty scan) are PruneGuard's, applied by spaces-exists.
((!max_delete_given)) || ((delete_removed)) || usage_error "--max-delete applies only with --delete-removed"
((!max_delete_given)) || in_range "$max_delete" 0 9999999 || usage_error "--max-delete must be a whole number from 0 to 9999999"
# Pruning needs the whole folder's scan: records from a file say nothing about what is gone.
((!delete_removed)) || [[ -z $from_records ]] || usage_error "--delete-removed needs a scan of DIR, not --from-records"
# An empty prefix is the bucket's root: pruning and aborting would reach every key of the bucket.
prefix_segments=${prefix#/}
prefix_segments=${prefix_segments%/}
if [[ -z $prefix_segments ]] && { ((delete_removed)) || [[ -n $abort_incomplete ]]; }; then
  usage_error "--delete-removed and --abort-incomplete refuse an empty --prefix: they would reach every key of the bucket"
fi
# Every other value of spaces-put's options (--retries, --connect-timeout, --stall-timeout, --prefix,
# --limit-rate, --meta, --content-disposition, --multipart-threshold, --part-size, --part-concurrency,
# --abort-incomplete, --presign) is checked by spaces-put itself, in upload-images, once the commands are found.
hosts_given=$((${#host_files[@]} + ${#host_logins[@]} > 0))
# The cap is shared through a file on this machine, which the hosts cannot see.
((!hosts_given || !limit_rate_given)) || usage_error "--limit-rate cannot be combined with --hosts or --sshlogin (the cap is shared on one machine only)"
((!hosts_given)) || hosts_read
