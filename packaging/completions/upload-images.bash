# bash completion for upload-images.
# Its options are read from `upload-images --help` each time, so options added to the script later complete
# without editing this file. An option whose help line names a value (`--env-file FILE`) takes one: FILE
# completes file names, DIR folder names, anything else (N, S, GLOB, RATE, KEY=VALUE) nothing.

_upload_images() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local line options=() pattern='^[[:space:]]+(-[[:alnum:]],[[:space:]]+)?(--[[:alnum:]][-[:alnum:]]*)( ([A-Z][A-Z_=]*))?'
  local -A value_of=()
  while IFS= read -r line; do
    [[ $line =~ $pattern ]] || continue
    options+=("${BASH_REMATCH[2]}")
    [[ -z ${BASH_REMATCH[4]} ]] || value_of[${BASH_REMATCH[2]}]=${BASH_REMATCH[4]}
  done < <("$1" --help 2>&1)

  # `--env-file=FI<tab>`: bash splits the word at `=` (COMP_WORDBREAKS), so the option is two words back.
  if [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == = ]]; then
    cur=""
  fi
  if [[ -n ${value_of[$prev]:-} ]]; then
    case ${value_of[$prev]} in
      FILE) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
      DIR) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
      *) COMPREPLY=() ;;
    esac
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${options[*]}" -- "$cur")
  else
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
  fi
}
complete -F _upload_images upload-images
