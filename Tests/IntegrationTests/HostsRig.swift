import Common
import Foundation
import TestSupport
import Testing

/// A fleet on this machine for `upload-images --hosts` (`scripts/hosts-rig`): hosts h1, h2, ..., each a network
/// namespace with its own address and its own sshd, all seeing this filesystem as shared storage would, and a
/// SeaweedFS they all reach on the bridge's address. Each test starts one and stops it (needs root for ip netns).
final class HostsRig {
    static let script = Corpus.packageRoot + "/scripts/hosts-rig"
    let directory: String
    let hosts: Int
    private let holder: TemporaryDirectory

    init(hosts: Int = 2) throws {
        holder = try TemporaryDirectory()
        directory = holder.path + "/rig"
        self.hosts = hosts
        let started = try Shell.run("\(Shell.quote(Self.script)) start \(Shell.quote(directory)) \(hosts)")
        try #require(started.status == 0, "the hosts rig did not start (it needs root, iproute2, openssh-server): \(started.stderr)")
    }

    deinit { _ = try? Shell.run("\(Shell.quote(Self.script)) stop \(Shell.quote(directory))") }

    /// What the run needs to reach the hosts: parallel runs `ssh -F` with the rig's keys and known hosts.
    var environment: [String: String] { ["PARALLEL_SSH": "ssh -F \(directory)/ssh_config"] }

    /// The namespace of each host, in order (h1 first).
    var namespaces: [String] {
        ((try? String(contentsOfFile: directory + "/namespaces", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The network namespace of host `index` (1-based) as /proc shows it (`net:[4026532...]`).
    func networkNamespace(ofHost index: Int) throws -> String {
        let pid = try String(contentsOfFile: "\(directory)/h\(index)/sshd.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
    }

    /// Host `index` goes down: every process in its namespace (its sshd, the sessions, what they run) is killed.
    func down(_ index: Int) throws {
        let run = try Shell.run("\(Shell.quote(Self.script)) down \(Shell.quote(directory)) \(index)")
        try #require(run.status == 0, "\(run.stderr)")
    }

    /// Host `index`'s ~/.bashrc becomes `text`: the rig's own home for root there, never the tester's.
    func setLoginFile(_ index: Int, _ text: String) throws {
        let file = "\(directory)/h\(index)/rc.new"
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        let run = try Shell.run("\(Shell.quote(Self.script)) rc \(Shell.quote(directory)) \(index) \(Shell.quote(file))")
        try #require(run.status == 0, "\(run.stderr)")
    }

    /// Runs `command` on host `index` over ssh, as the run's logins do.
    func ssh(_ index: Int, _ command: String) throws -> Shell.Result {
        try Shell.run("ssh -F \(Shell.quote(directory + "/ssh_config")) h\(index) \(Shell.quote(command))", limit: 30)
    }

    /// How many ssh logins host `index`'s sshd accepted.
    func logins(_ index: Int) -> Int {
        ((try? String(contentsOfFile: "\(directory)/h\(index)/sshd.log", encoding: .utf8)) ?? "")
            .components(separatedBy: "Accepted publickey").count - 1
    }

    /// A bucket of its own on the rig's SeaweedFS, and an env file (mode 0600) naming it.
    func bucket(_ label: String, in folder: TemporaryDirectory) throws -> (name: String, envFile: String, secret: String) {
        var settings = DotEnv.parse(try String(contentsOfFile: directory + "/spaces.env", encoding: .utf8)).values
        let name = "\(label)-\(UInt32.random(in: 0...UInt32.max))"
        settings["SPACES_BUCKET"] = name
        let envFile = folder.path + "/spaces.env"
        try settings.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n").write(toFile: envFile, atomically: false, encoding: .utf8)
        chmod(envFile, 0o600)
        let made = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) mkbucket \(name)")
        try #require(made.status == 0, "cannot create bucket \(name): \(made.stderr)")
        return (name, envFile, settings["SPACES_SECRET_KEY"]!)
    }

    /// Every object of the bucket as boto3 reads it back (with each body's MD5).
    func objects(envFile: String, bucket: String) throws -> [String: StoredObject] {
        let listed = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(envFile)) objects \(bucket)")
        try #require(listed.status == 0, "listing \(bucket) failed: \(listed.stderr)")
        return try StoredObject.byKey(listing: listed.stdout)
    }
}
