/// Facts shared by every command of the toolkit.
public enum Toolkit {
    public static let version = "0.1.0"

    /// What `--version` prints, the same form for every command and upload-images: `img-scan 0.1.0`.
    public static func versionLine(of command: String) -> String { "\(command) \(version)" }

    /// The pipeline's exit statuses, for every stage's --help (and so its man page).
    public static let pipelineStatusHelp = """
        In a pipeline (img-scan DIR | spaces-exists | img-thumb | spaces-put), each stage's status counts \
        the stages before it, so the last one's is the pipeline's, under any shell (sh, dash, make: no pipefail \
        needed): 0 every image uploaded or skipped (or nothing to do), 1 some image failed in some stage, \
        2 a stage stopped on a fatal error (configuration, credentials, unreachable server, no such folder, bad \
        option) or the stream was cut (a stage killed or crashed; nothing came in at all). For this, every \
        stage's output begins with {"by":NAME,"stream":"begin"} and ends with {"by":NAME,"exit":N,...,\
        "stream":"end"}; a stage reads those of the stage before it and never passes them on. Records without \
        them (written by hand) are judged by their statuses alone. --records-only writes neither line and \
        exits by the command's own work alone.
        """

    /// Exit statuses, the same for every command and the `upload-images` script.
    public enum Exit {
        /// Some records failed; the rest were done.
        public static let someFailed: Int32 = 1
        /// Nothing could be done: bad configuration, credentials, bucket or folder.
        public static let fatal: Int32 = 2
        /// The server stopped answering (spaces-put): the last records were failed without being attempted.
        public static let serverUnavailable: Int32 = 3
    }
}
