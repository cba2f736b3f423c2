import ArgumentParser
import Common
import ToolkitCLI
import FoundationEssentials
import Glibc

@main
struct UploadReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload-review",
        abstract: "Write the review page of a run: an HTML file of every image's thumbnails, from its result records.",
        discussion: """
            Reads result records (a results file of upload-images, or spaces-put's output) from FILE or stdin and \
            writes one HTML page: the counts and every failed image with its reason at the top, then every \
            uploaded or skipped image's thumbnails sorted by path, each linked to its original. Presigned URLs \
            (--presign) are used when records have them, so a private bucket's thumbnails show too. The page \
            loads nothing from the internet; it says how many thumbnails the browser could load. Deletion records \
            and stream lines are left out. Exit status: 0 page written, 2 FILE or the page could not be read or \
            written.
            """,
        version: Toolkit.versionLine(of: "upload-review")
    )

    @Argument(help: "The results file (stdin when absent).")
    var file: String?

    @Option(help: ArgumentHelp("Write the page to this file (stdout when absent).", valueName: "page"))
    var out: String?

    func run() throws {
        CommandRun.begin("upload-review", debug: false)
        let fd = try CommandRun.setUp { () throws -> Int32 in
            guard let file else { return STDIN_FILENO }
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileError(path: file, errno: errno) }
            return fd
        }
        var page = ReviewPage()
        let reader = LineReader(fd: fd)
        while let line = reader.next() { page.add(line: line) }
        let html = Array(page.html().utf8)
        let target = try CommandRun.setUp { () throws -> Int32 in
            guard let out else { return STDOUT_FILENO }
            // Presigned URLs open private objects: such a page is its owner's alone.
            let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, page.hasPresignedURLs ? 0o600 : 0o644)
            guard fd >= 0 else { throw FileError(path: out, errno: errno) }
            return fd
        }
        try CommandRun.output { () throws(LineWriter.Failure) in try LineWriter.writeLine(Data(html.dropLast()), fd: target) }
        if target != STDOUT_FILENO { close(target) }
    }
}
