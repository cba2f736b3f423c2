/// Sizes and rates as the run's messages give them.
public enum RunUnits {
    /// `592 KiB`, `176.7 MiB`, `1.2 GiB`: units of 1024, as `du -h` and `ls -h` count.
    public static func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value + 0.5)) \(units[unit])" : Printf.string("%.1f", value) + " " + units[unit]
    }

    /// `12.3`: MB/s (10^6 bytes, as network speeds are given).
    public static func megabytesPerSecond(_ bytes: Int64, seconds: Double) -> String {
        Printf.string("%.1f", seconds > 0 ? Double(bytes) / seconds / 1e6 : 0)
    }

    /// `1 object`, `2 objects`.
    public static func counted(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}
