import Testing
@testable import VsockBenchSupport

@Suite struct QuantitiesTests {
    @Test(arguments: [
        ("4096", 4096), ("512B", 512), ("8KiB", 8192), ("64KiB", 65536), ("1MiB", 1_048_576),
        ("1.5MiB", 1_572_864), ("2GiB", 2_147_483_648), (" 8 KiB ", 8192), ("0", 0),
        // Digits grouped as the counts take them (review: "unknown size unit '_000'").
        ("1_000", 1000), ("64_000B", 64000), ("1_024KiB", 1_048_576),
    ])
    func parsesSizes(text: String, bytes: Int) throws {
        #expect(try Quantities.parseSize(text).get() == bytes)
    }

    @Test(arguments: [("8KB", "ambiguous"), ("8k", "ambiguous"), ("x", "not a size"), ("8XiB", "unknown size unit"), ("-1", "is negative; a size is 0 or more"), ("-8KiB", "is negative"), ("0.3B", "whole number"), ("_1000", "not a size"), ("1__000", "unknown size unit"), ("1000_", "unknown size unit")])
    func rejectsBadSizes(text: String, reason: String) {
        guard case let .failure(error) = Quantities.parseSize(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.description.contains(reason))
    }

    @Test(arguments: [("5s", 5_000_000_000), ("200ms", 200_000_000), ("150us", 150_000), ("150µs", 150_000), ("1.5s", 1_500_000_000), ("0s", 0), ("2m", 120_000_000_000), ("1_500ms", 1_500_000_000)] as [(String, UInt64)])
    func parsesDurations(text: String, nanos: UInt64) throws {
        #expect(try Quantities.parseDuration(text).get() == nanos)
    }

    @Test(arguments: [("5", "needs a unit"), ("5h", "unknown duration unit"), ("fast", "not a duration"), ("-1s", "is negative; a duration is 0 or more"), ("30000m", "longer than a week")])
    func rejectsBadDurations(text: String, reason: String) {
        guard case let .failure(error) = Quantities.parseDuration(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.description.contains(reason))
    }

    @Test func formatsRoundTrip() throws {
        for bytes in [1, 512, 8192, 65536, 1_048_576, 3 * 1024 * 1024] {
            #expect(try Quantities.parseSize(Quantities.formatSize(bytes)).get() == bytes)
        }
        #expect(Quantities.formatDuration(5_000_000_000) == "5s")
        #expect(Quantities.formatDuration(1_500_000) == "1.5ms")
    }
}

/// Formatting never traps, whatever a hand-edited results file holds.
@Suite struct FormattingExtremesTests {
    @Test func hugeValuesAreSpelledNotTrapped() {
        #expect(Format.fixed(1e308, 1) == "1e+308")
        #expect(Format.fixed(-1e300, 0) == "-1e+300")
        #expect(Format.fixed(123.45, 1) == "123.5")
        #expect(Quantities.formatSize(1 << 62) == "4294967296GiB")
        #expect(Quantities.formatSize(Int.max).hasSuffix("GiB"))
        #expect(Quantities.formatSize(1536) == "1.5KiB")
        // A hostile hello's target_cost: `nanos * 10` trapped above 1.8e18 ns.
        #expect(Quantities.formatDuration(UInt64(Int64.max)) == "9223372036.9s")
        #expect(Quantities.formatDuration(.max) == "18446744073.7s")
        #expect(Quantities.formatDuration(1_999_999_999_999_999_999) == "2000000000.0s")
    }

    /// The places for significant figures end, however small the value (a 5e-324 ratio).
    @Test func significantPlacesOfTinyAndOrdinaryValues() {
        #expect(Format.places(significant: 2, of: 0.0012) == 4 && Format.places(significant: 2, of: -0.0012) == 4)
        #expect(Format.places(significant: 2, of: 0.5) == 2 && Format.places(significant: 2, of: 12) == 0)
        #expect(Format.places(significant: 2, of: 0) == 0 && Format.places(significant: 2, of: .nan) == 0)
        #expect(Format.places(significant: 2, of: 5e-324) == 17, "capped at a double's digits: 10^324 is infinite, and a value rounded so NaN")
    }
}
