/// Facts shared by every command of the toolkit.
public enum Toolkit {
    public static let version = "0.1.0"

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
