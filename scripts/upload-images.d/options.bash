# shellcheck shell=bash
# upload-images: its command line, parsed into variables and checked, each bad value a usage error (64)
# before any work. Sourced by upload-images with its arguments; uses its usage and usage_error.

dir="" workers=1 batch_size=100 prefix=avatar skip_existing=1 dry_run=0 env_file="" from_records="" debug=0
retries="" connect_timeout="" stall_timeout=""
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
    --no-skip-existing) skip_existing=0 ;;
    --dry-run) dry_run=1 ;;
    --debug) debug=1 ;;
    --workers=* | --batch-size=* | --prefix=* | --env-file=* | --from-records=* | --retries=* | --connect-timeout=* | --stall-timeout=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    -*) usage_error "unknown option $1" ;;
    *) [[ -z $dir ]] || usage_error "one folder only"; dir=$1 ;;
  esac
  shift
done
# The same rules as the commands' own (spaces-put, spaces-exists, img-scan), checked here before any work:
# a value every worker would refuse must not become a run that uploads nothing.
in_range() { [[ $1 =~ ^[0-9]{1,7}$ ]] && ((10#$1 >= $2 && 10#$1 <= $3)); }
seconds_in_range() { [[ $1 =~ ^[0-9]{0,7}(\.[0-9]{1,6})?$ && $1 =~ [0-9] ]] && awk -v s="$1" -v max="$2" 'BEGIN { exit !(s > 0 && s <= max) }'; }
[[ -n $dir || -n $from_records ]] || usage_error "which folder? upload-images DIR"
in_range "$workers" 1 1000 || usage_error "--workers must be a whole number from 1 to 1000"
in_range "$batch_size" 1 1000000 || usage_error "--batch-size must be a whole number from 1 to 1000000"
[[ -z $retries ]] || in_range "$retries" 0 100 || usage_error "--retries must be a whole number from 0 to 100"
[[ -z $connect_timeout ]] || seconds_in_range "$connect_timeout" 3600 || usage_error "--connect-timeout must be a number of seconds above 0, at most 3600"
[[ -z $stall_timeout ]] || in_range "$stall_timeout" 1 86400 || usage_error "--stall-timeout must be a whole number of seconds from 1 to 86400"
# Keys are PREFIX/original/REL: a prefix is folder names joined by single slashes (one leading or trailing
# slash is dropped), none of them . or .. (S3 refuses such keys, and a//b would not be the key asked for).
prefix_segments=${prefix#/}
prefix_segments=${prefix_segments%/}
if [[ -n $prefix_segments ]]; then
  [[ /$prefix_segments/ != *//* && /$prefix_segments/ != */./* && /$prefix_segments/ != */../* ]] \
    || usage_error "--prefix must be folder names joined by single slashes, none of them . or .. (got '$prefix')"
fi
