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
}
