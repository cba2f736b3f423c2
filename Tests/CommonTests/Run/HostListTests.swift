@testable import Common
import Testing

/// The hosts of --hosts FILE and --sshlogin, in parallel's --sshloginfile form.
@Suite(.unitTimeLimit) struct HostListTests {
    @Test func readsFilesAndLoginsWithTheirWorkers() {
        let files = ["hosts": "# mine\n 2/h1 \r\n\n@group/3/h2\nh3\n//usr/bin/myssh h4\n"]
        let list = HostList.parse(files: ["hosts"], logins: ["4/:,h5", ""], workers: 5, read: { files[$0] })
        #expect(list == .success(HostList(entries: [
            .init(workers: 2, login: "h1"), .init(workers: 3, login: "h2"), .init(workers: 5, login: "h3"),
            .init(workers: 5, login: "/usr/bin/myssh h4"), .init(workers: 4, login: ":"), .init(workers: 5, login: "h5"),
        ])))
        #expect((try? list.get())?.workers == 24)
        #expect((try? list.get())?.fileText.hasPrefix("2/h1\n3/h2\n") == true)
    }

    @Test func refusesBadCountsMissingFilesAndNoHosts() {
        #expect(HostList.parse(files: [], logins: ["0/h1"], workers: 1, read: { _ in nil })
            == .failure(.usage("--sshlogin: '0/h1': the workers before the '/' must be a whole number from 1 to 1000")))
        #expect(HostList.parse(files: ["gone"], logins: [], workers: 1, read: { _ in nil }) == .failure(.unreadable("cannot read hosts file: gone")))
        #expect(HostList.parse(files: ["empty"], logins: [], workers: 1, read: { _ in "# nothing\n" })
            == .failure(.usage("--hosts/--sshlogin: no host given (one login a line, or LOGIN,LOGIN; ':' is this machine)")))
    }
}
