# fish completion for upload-images.
# Its options are read from `upload-images --help` when fish first completes upload-images, so options added
# to the script later complete without editing this file. An option whose help line names a value
# (`--env-file FILE`) takes one: FILE completes file names, DIR folder names, anything else (N, S, GLOB,
# RATE, KEY=VALUE) nothing. The folder to upload completes as a folder name.

complete -c upload-images -f -a '(__fish_complete_directories (commandline -ct))'
for line in (command upload-images --help 2>&1)
    set -l fields (string replace -r -- '^\s+(?:-(\w),\s+)?--(\w[\w-]*)(?: ([A-Z][A-Z_=]*))?\s*(.*)$' '$1\t$2\t$3\t$4' $line | string split \t)
    or continue
    test (count $fields) -eq 4; or continue
    set -l spec -c upload-images -l $fields[2] -d $fields[4]
    test -n "$fields[1]"; and set -a spec -s $fields[1]
    switch "$fields[3]"
        case ''
        case FILE
            set -a spec -r -F
        case DIR
            set -a spec -x -a '(__fish_complete_directories (commandline -ct))'
        case '*'
            set -a spec -x
    end
    complete $spec
end
