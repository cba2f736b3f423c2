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
seconds_in_range() { [[ $1 =~ ^[0-9]{0,7}(\.[0-9]{1,6})?$ && $1 =~ [0-9] ]] && awk -v s="$1" -v max="$2" 'BEGIN { exit !(s > 0 && s <= max) }'; }
[[ -n $dir || -n $from_records ]] || usage_error "which folder? upload-images DIR"
in_range "$workers" 1 1000 || usage_error "--workers must be a whole number from 1 to 1000"
in_range "$batch_size" 1 1000000 || usage_error "--batch-size must be a whole number from 1 to 1000000"
[[ -z $retries ]] || in_range "$retries" 0 100 || usage_error "--retries must be a whole number from 0 to 100"
[[ -z $connect_timeout ]] || seconds_in_range "$connect_timeout" 3600 || usage_error "--connect-timeout must be a number of seconds above 0, at most 3600"
[[ -z $stall_timeout ]] || in_range "$stall_timeout" 1 86400 || usage_error "--stall-timeout must be a whole number of seconds from 1 to 86400"
# --max-delete's rules (the default limits, the empty scan) are PruneGuard's, applied by spaces-exists.
((!max_delete_given)) || ((delete_removed)) || usage_error "--max-delete applies only with --delete-removed"
((!max_delete_given)) || in_range "$max_delete" 0 9999999 || usage_error "--max-delete must be a whole number from 0 to 9999999"
# Pruning needs the whole folder's scan: records from a file say nothing about what is gone.
((!delete_removed)) || [[ -z $from_records ]] || usage_error "--delete-removed needs a scan of DIR, not --from-records"
# Keys are PREFIX/original/REL: a prefix is folder names joined by single slashes (one leading or trailing
# slash is dropped), none of them . or .. (S3 refuses such keys, and a//b would not be the key asked for).
prefix_segments=${prefix#/}
prefix_segments=${prefix_segments%/}
if [[ -z $prefix_segments ]] && { ((delete_removed)) || [[ -n $abort_incomplete ]]; }; then
  usage_error "--delete-removed and --abort-incomplete refuse an empty --prefix: they would reach every key of the bucket"
fi
if [[ -n $prefix_segments ]]; then
  [[ /$prefix_segments/ != *//* && /$prefix_segments/ != */./* && /$prefix_segments/ != */../* ]] \
    || usage_error "--prefix must be folder names joined by single slashes, none of them . or .. (got '$prefix')"
fi
# --limit-rate, --meta and --content-disposition: the rules of spaces-put's RateLimit and ObjectMetadata, byte
# by byte (LC_ALL=C), so that no worker refuses what passed here.
rate_in_range() {
  local LC_ALL=C
  [[ $1 =~ ^[0-9]{1,10}(\.[0-9]{1,6})?[KkMmGg]?$ ]] || return 1
  awk -v rate="$1" 'BEGIN { unit = index("KkMmGg", substr(rate, length(rate)))
    bytes = int((rate + 0) * (unit ? 1024 ^ int((unit + 1) / 2) : 1)); exit !(bytes >= 1024 && bytes <= 1024 ^ 4) }'
}
meta_key() { local LC_ALL=C; [[ $1 =~ ^[A-Za-z0-9-]+$ ]]; }
printable() { local LC_ALL=C; [[ $1 =~ ^[!-~]([\ -~]*[!-~])?$ ]]; }
hosts_given=$((${#host_files[@]} + ${#host_logins[@]} > 0))
# The cap is shared through a file on this machine, which the hosts cannot see.
((!hosts_given || !limit_rate_given)) || usage_error "--limit-rate cannot be combined with --hosts or --sshlogin (the cap is shared on one machine only)"
((!hosts_given)) || hosts_read
((!limit_rate_given)) || rate_in_range "$limit_rate" \
  || usage_error "--limit-rate must be bytes per second from 1K to 1024G, as 500K, 10M or 1.5G (K, M, G are 1024 multiples)"
meta_bytes=0 meta_keys=" "
for pair in "${meta[@]}"; do
  [[ $pair == *=* ]] || usage_error "--meta must be KEY=VALUE (got ${pair@Q})"
  key=${pair%%=*} value=${pair#*=}
  meta_key "$key" || usage_error "--meta KEY must be ASCII letters, digits and '-' (got ${key@Q}$([[ $key != *_* ]] || echo "; '_' would be stored as '-' by Spaces' RADOS Gateway"))"
  printable "$value" || usage_error "--meta $key=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"
  [[ ${key,,} != md5 ]] || usage_error "--meta md5 is reserved: spaces-put stores the MD5 of every original uploaded in parts under it"
  [[ $meta_keys != *" ${key,,} "* ]] || usage_error "--meta ${key,,} is given twice (keys are stored lowercase)"
  meta_keys+="${key,,} "
  meta_bytes=$((meta_bytes + ${#key} + ${#value}))
done
((meta_bytes <= 2048)) || usage_error "--meta keys and values come to $meta_bytes bytes, over the 2048 that S3 allows"
((!content_disposition_given)) || printable "$content_disposition" \
  || usage_error "--content-disposition must be printable US-ASCII, not empty, without leading or trailing spaces"
# Multipart uploads: the rules of spaces-put's MultipartSettings and IncompleteUploads.
size_in_range() {
  local LC_ALL=C
  [[ $1 =~ ^[0-9]{1,13}(\.[0-9]{1,6})?[KkMmGg]?$ ]] || return 1
  awk -v size="$1" 'BEGIN { unit = index("KkMmGg", substr(size, length(size)))
    bytes = int((size + 0) * (unit ? 1024 ^ int((unit + 1) / 2) : 1)); exit !(bytes >= 5 * 1024 ^ 2 && bytes <= 5 * 1024 ^ 3) }'
}
[[ -z $multipart_threshold ]] || size_in_range "$multipart_threshold" \
  || usage_error "--multipart-threshold must be a size from 5M to 5G, as 64M or 1.5G (K, M, G are 1024 multiples)"
[[ -z $part_size ]] || size_in_range "$part_size" \
  || usage_error "--part-size must be a size from 5M to 5G, as 16M or 1G (K, M, G are 1024 multiples)"
[[ -z $part_concurrency ]] || in_range "$part_concurrency" 1 10 \
  || usage_error "--part-concurrency must be a whole number from 1 to 10 (Spaces allows 10 PUTs in flight to one object)"
[[ -z $abort_incomplete || $abort_incomplete =~ ^[0-9]{1,7}[smhd]$ ]] \
  || usage_error "--abort-incomplete must be an age as 30s, 90m, 24h or 7d (a whole number and one of s, m, h, d)"
