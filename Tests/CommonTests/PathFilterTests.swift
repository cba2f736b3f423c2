import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct PathFilterTests {
    func taken(_ rules: [PathFilter.Rule], _ paths: [String]) -> [String] {
        let filter = PathFilter(rules)
        return paths.filter { filter.admits(Array($0.utf8)) }
    }

    let photos = ["a.jpg", "b.png", "raw/c.jpg", "raw/best/d.jpg", "2019/raw/e.jpg", "2019/f.JPG", "rawhide/g.jpg"]

    @Test func noRulesTakeEverything() {
        #expect(taken([], photos) == photos)
    }

    @Test func aPatternWithoutASlashMatchesAnyNameInThePath() {
        #expect(taken([.init(.exclude, "raw")], photos) == ["a.jpg", "b.png", "2019/f.JPG", "rawhide/g.jpg"])
        #expect(taken([.init(.exclude, "*.png")], photos) == photos.filter { $0 != "b.png" })
        // Case-sensitive, as the shell's globs are.
        #expect(taken([.init(.exclude, "*.jpg")], photos) == ["b.png", "2019/f.JPG"])
    }

    @Test func aPatternWithASlashMatchesFromTheTopAndCoversWhatIsBelowAFolder() {
        #expect(taken([.init(.exclude, "2019/raw")], photos) == photos.filter { $0 != "2019/raw/e.jpg" })
        #expect(taken([.init(.exclude, "/raw")], photos) == ["a.jpg", "b.png", "2019/raw/e.jpg", "2019/f.JPG", "rawhide/g.jpg"])
        // * stops at a slash: raw/* names what is directly in raw/, which covers raw/best/ and all below it.
        #expect(taken([.init(.include, "raw/*.jpg")], photos) == ["raw/c.jpg"])
        #expect(taken([.init(.exclude, "*/raw")], photos) == photos.filter { $0 != "2019/raw/e.jpg" })
    }

    @Test func theLastRuleThatMatchesDecides() {
        let keepBest: [PathFilter.Rule] = [.init(.exclude, "raw"), .init(.include, "raw/best")]
        #expect(taken(keepBest, photos) == ["a.jpg", "b.png", "raw/best/d.jpg", "2019/f.JPG", "rawhide/g.jpg"])
        // The same two rules the other way round: the exclude now comes last and wins over the include.
        let reversed: [PathFilter.Rule] = [.init(.include, "raw/best"), .init(.exclude, "raw")]
        #expect(taken(reversed, photos).isEmpty)
    }

    @Test func aFirstIncludeMeansOnlyWhatAnIncludeMatches() {
        #expect(taken([.init(.include, "*.png")], photos) == ["b.png"])
        #expect(taken([.init(.exclude, "*"), .init(.include, "*.png")], photos) == ["b.png"])
        // With a first --exclude, what no rule matches is taken.
        #expect(taken([.init(.exclude, "*.png"), .init(.include, "raw")], photos) == photos.filter { $0 != "b.png" })
        #expect(taken([.init(.include, "*.jpg"), .init(.exclude, "raw")], photos) == ["a.jpg", "rawhide/g.jpg"])
    }

    @Test func rulesKeepTheOrderOfTheCommandLine() {
        let words = ["--exclude", "raw", "--prefix", "p", "--include=raw/best", "--exclude", "*.png", "--", "--include", "x"]
        let rules = PathFilter.orderedRules(in: words, include: ["raw/best"], exclude: ["raw", "*.png"])
        #expect(rules == [.init(.exclude, "raw"), .init(.include, "raw/best"), .init(.exclude, "*.png")])
        // Words that do not agree with what was parsed: the parsed values are kept, includes first.
        let odd = PathFilter.orderedRules(in: ["--incl", "a"], include: ["a"], exclude: ["b"])
        #expect(odd == [.init(.include, "a"), .init(.exclude, "b")])
    }

    @Test func emptyPatternsAreRefused() {
        #expect(PathFilter.problem(with: "", option: "--include") == "--include needs a pattern (got an empty one)")
        #expect(PathFilter.problem(with: "/", option: "--exclude") != nil)
        #expect(PathFilter.problem(with: "*.jpg", option: "--exclude") == nil)
    }
}
