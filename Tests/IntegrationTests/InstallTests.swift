import Common
import Foundation
import TestSupport
import Testing

/// What `make install` puts under PREFIX, as a user gets it: the commands run where no Swift toolchain is (its
/// runtime is linked into them), and the completions and man pages load. `scripts/test` stages the install
/// (`make install PREFIX=...`, a release build) and names it in `S3TEST_INSTALL`.
@Suite(.integrationTimeLimit) struct InstallTests {
    static let commands = ["img-scan", "spaces-exists", "img-thumb", "spaces-put", "spaces-ls", "spaces-get", "upload-review", "upload-run", "upload-images"]

    func prefix() throws -> String {
        let prefix = try #require(Harness.environment["S3TEST_INSTALL"],
                                  "S3TEST_INSTALL is not set: scripts/test stages `make install` for these tests (did it fail? its log says why)")
        for command in Self.commands {
            try #require(FileManager.default.isExecutableFile(atPath: "\(prefix)/bin/\(command)"), "\(prefix)/bin/\(command) is not installed")
        }
        return prefix
    }

    /// Runs `command` in a mount namespace of its own where /opt/swift is an empty tmpfs, with only the install
    /// and the system on PATH (and no UPLOAD_IMAGES_BIN pointing at the debug build).
    func withoutToolchain(_ command: String, prefix: String, directory: String? = nil) throws -> Shell.Result {
        let hidden = "mount -t tmpfs tmpfs /opt/swift && export PATH=\(Shell.quote(prefix + "/bin")):/usr/bin:/bin && \(command)"
        return try Shell.run("unshare -m bash -c \(Shell.quote(hidden))", environment: ["UPLOAD_IMAGES_BIN": ""], directory: directory)
    }

    @Test func theInstalledCommandsUploadAFolderWithTheToolchainHidden() throws {
        let prefix = try prefix()
        // The commands load nothing from the toolchain; the debug build, which does, cannot start there. Each is
        // 18.7 MB at most: all of Foundation (an `import Foundation` in Sources or a dependency) makes it 62 MB.
        for command in Self.commands.dropLast() {
            let libraries = try Shell.run("ldd \(prefix)/bin/\(command)")
            #expect(libraries.status == 0 && !libraries.stdout.contains("swift"), "\(command): \(libraries.stdout)")
            let size = try #require(try FileManager.default.attributesOfItem(atPath: "\(prefix)/bin/\(command)")[.size] as? Int)
            #expect(size < 30_000_000, "\(command) is \(size) bytes: does something import Foundation rather than FoundationEssentials?")
        }
        let debugBuild = try withoutToolchain("ls -A /opt/swift; \(Harness.binDirectory)/img-scan --version", prefix: prefix)
        #expect(debugBuild.status != 0 && debugBuild.stdout.isEmpty, "the toolchain must be hidden: \(debugBuild.stdout) \(debugBuild.stderr)")

        let versions = try withoutToolchain("for c in \(Self.commands.joined(separator: " ")); do $c --version; done", prefix: prefix)
        #expect(versions.status == 0, "\(versions.stderr)")
        #expect(versions.lines == Self.commands.map { "\($0) \(Toolkit.version)" }, "every command, one form and one version source")

        let bucket = try TestBucket("install")
        let images = try TemporaryDirectory()
        let names = try FileManager.default.contentsOfDirectory(atPath: Corpus.file("photos")).sorted()
        for (index, name) in names.enumerated() {
            try images.copy(Corpus.file("photos/\(name)"), to: index.isMultiple(of: 2) ? name : "a folder/é \(name)")
        }
        let folder = try TemporaryDirectory()
        let run = try withoutToolchain("upload-images \(Shell.quote(images.path)) --workers 2 --batch-size 3 --env-file \(Shell.quote(bucket.envFile))",
                                       prefix: prefix, directory: folder.path)
        #expect(run.status == 0, "\(run.stderr.suffix(1_000))")

        let results = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("upload_results_") }
        let lines = try String(contentsOfFile: folder.path + "/" + #require(results.first), encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try RecordCoding.decode(Data($0.utf8)) }
        #expect(records.count == names.count && records.allSatisfy { $0.status == .uploaded })
        let stored = try bucket.objects()
        for record in records {
            #expect(stored[record.key!]?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString, "\(record.rel)")
            #expect(stored[record.thumbnailKey!]?.whole_jpeg == true, "\(record.rel)")
        }
        #expect(stored.count == 2 * names.count)
    }

    @Test(arguments: commands)
    func theCompletionScriptsLoadInBash(command: String) throws {
        let prefix = try prefix()
        let script = "\(prefix)/share/bash-completion/completions/\(command)"
        let loaded = try Shell.run("bash -c \(Shell.quote("source \(Shell.quote(script)) && complete -p \(command)"))")
        #expect(loaded.status == 0 && loaded.stdout.hasPrefix("complete ") && loaded.stdout.contains(" -F ") && loaded.stdout.hasSuffix(" \(command)\n"),
                "\(loaded.stdout) \(loaded.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/zsh/site-functions/_\(command)"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/fish/vendor_completions.d/\(command).fish"))
    }

    /// upload-images' completion is made from its command line (upload-run's UploadImagesCommand), as the
    /// commands' are: what it offers, and what each option's value completes to (a file: files; a number: nothing).
    @Test func uploadImagesCompletesItsOptionsFromItsHelp() throws {
        let prefix = try prefix()
        let complete = { (words: [String]) throws -> [String] in
            let line = words.map(Shell.quote).joined(separator: " ")
            let script = """
                source \(Shell.quote(prefix + "/share/bash-completion/completions/upload-images"))
                COMP_WORDS=(\(line)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
                _upload-images upload-images "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let run = try Shell.run("PATH=\(Shell.quote(prefix + "/bin")):$PATH bash -c \(Shell.quote(script))")
            try #require(run.status == 0, "\(run.stderr)")
            return run.lines.filter { !$0.isEmpty }
        }
        let help = try Shell.run("\(prefix)/bin/upload-images --help")
        let options = Set(help.stdout.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /^\s+(?:-\w,\s+)?(--\w[\w-]*)/).map { String($0.1) }
        })
        #expect(options.isSuperset(of: ["--workers", "--env-file", "--dry-run", "--version"]))
        #expect(Set(try complete(["upload-images", "--"])) == options)
        #expect(try complete(["upload-images", "--wor"]) == ["--workers"])
        #expect(try complete(["upload-images", "--workers", ""]) == [])
        let folder = try TemporaryDirectory()
        try folder.write("spaces.env", Data("X=1\n".utf8))
        #expect(try complete(["upload-images", "--env-file", folder.path + "/sp"]) == [folder.path + "/spaces.env"])
    }

    @Test(arguments: commands)
    func theManPagesRender(command: String) throws {
        let prefix = try prefix()
        let page = try Shell.run("MANPATH=\(Shell.quote(prefix + "/share/man")) MANWIDTH=100 man -P cat \(command)")
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stdout.contains("NAME") && page.stdout.contains(command) && page.stdout.contains("--help"), "\(page.stdout.prefix(500))")
        let file = try Shell.run("MANWIDTH=100 man -l -P cat \(prefix)/share/man/man1/\(command).1")
        #expect(file.status == 0 && file.stdout == page.stdout)
    }
}
