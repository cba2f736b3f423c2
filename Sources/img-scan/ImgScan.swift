import ArgumentParser
import Common

@main
struct ImgScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "img-scan",
        abstract: "List the images under a folder as JSON lines, with their keys in the bucket.",
        discussion: """
            Finds .jpg .jpeg .png .webp .gif .bmp .tiff .tif files (any case) recursively, in sorted order, and \
            prints one record per image: path, rel, size, mtime, key (PREFIX/original/REL) and thumbnail_key \
            (PREFIX/thumbnail/REL with .jpg). Exit status: 0 all found, 1 some items were skipped, 2 no such folder.
            """,
        version: Toolkit.version
    )

    @Argument(help: "The folder to scan.")
    var directory: String

    @Option(help: "Folder prefix in the bucket.")
    var prefix = "avatar"

    @Flag(help: "Print details of the scan on stderr.")
    var debug = false

    func validate() throws {
        if let problem = KeyMapper.problem(withPrefix: prefix) { throw ValidationError(problem) }
    }

    func run() throws {
        CommandRun.begin("img-scan", debug: debug)
        let result = try CommandRun.setUp { try ImageScanner(root: directory, prefix: prefix).scan() }
        result.warnings.forEach(Console.warning)
        result.notices.forEach(Console.warning)
        for record in result.records where record.status == .failed {
            Console.error("\(record.path): \(record.error ?? "failed")")
        }
        try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLines(result.records.lazy.map(RecordCoding.encode)) }
        Console.debug("\(result.records.count) images found under \(directory)")
        if result.hadProblems { throw ExitCode(Toolkit.Exit.someFailed) }
    }
}
