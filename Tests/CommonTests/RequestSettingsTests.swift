@testable import Common
import Foundation
import TestSupport
import Testing

@Suite(.unitTimeLimit) struct RequestSettingsTests {
    @Test func theDefaultsAreFine() {
        #expect(RequestSettings().problem == nil)
        #expect(RequestSettings(retries: 0, connectTimeout: 0.5, stallTimeout: 1).problem == nil)
    }

    @Test(arguments: [
        (RequestSettings(retries: -1), "--retries"), (RequestSettings(retries: 101), "--retries"),
        (RequestSettings(connectTimeout: 0), "--connect-timeout"), (RequestSettings(connectTimeout: 3601), "--connect-timeout"),
        (RequestSettings(connectTimeout: .nan), "--connect-timeout"),
        (RequestSettings(stallTimeout: 0), "--stall-timeout"), (RequestSettings(stallTimeout: 86401), "--stall-timeout"),
    ])
    func valuesOutOfBoundsNameTheirOption(_ settings: RequestSettings, _ option: String) {
        #expect(settings.problem?.hasPrefix(option + " must be") == true, "\(settings): \(settings.problem ?? "accepted")")
    }

    @Test func theyReachTheClient() {
        let settings = RequestSettings(retries: 7, connectTimeout: 2.5, stallTimeout: 4)
        #expect(settings.retryPolicy.maxRetries == 7)
        #expect(settings.curlOptions.connectTimeout == 2.5 && settings.curlOptions.stallTimeout == 4)
    }

    /// The words of a command line: a word that is no number gets the same line as a number out of bounds.
    @Test func wordsAreParsedWithTheSameRules() throws {
        #expect(try RequestSettings.parsing(retries: "5", connectTimeout: "2.5", stallTimeout: "60").get()
                == RequestSettings(retries: 5, connectTimeout: 2.5, stallTimeout: 60))
        #expect(try RequestSettings.parsing(retries: nil, connectTimeout: nil, stallTimeout: nil).get() == RequestSettings())
        for (retries, connect, stall, option) in [("99999999999999999999", nil, nil, "--retries"), ("abc", nil, nil, "--retries"),
                                                  (nil, "abc", nil, "--connect-timeout"), (nil, "inf", nil, "--connect-timeout"),
                                                  (nil, "0", nil, "--connect-timeout"), (nil, nil, "1.5", "--stall-timeout")] as [(String?, String?, String?, String)] {
            guard case .failure(let problem) = RequestSettings.parsing(retries: retries, connectTimeout: connect, stallTimeout: stall) else {
                Issue.record("accepted \(String(describing: retries)) \(String(describing: connect)) \(String(describing: stall))")
                continue
            }
            #expect(problem.description.hasPrefix(option + " must be"), "\(problem)")
        }
    }

}
