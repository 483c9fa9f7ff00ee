import VsockProbe

/// Voluntary context switches of running processes, from procfs: the sum over each one's
/// threads of `voluntary_ctxt_switches` in /proc/PID/task/TID/status (a process's own status
/// file counts its main thread only). Threads that end in between take their count with them.
enum ContextSwitches {
    static func voluntary(of pids: [Int32], proc: String = "/proc") -> Int? {
        var total = 0
        var found = false
        for pid in pids {
            for task in FileSystem.entries(of: "\(proc)/\(pid)/task") {
                guard let status = try? FileSystem.readText("\(proc)/\(pid)/task/\(task)/status"),
                    let count = value(of: "voluntary_ctxt_switches", in: status)
                else { continue }
                total += count
                found = true
            }
        }
        return found ? total : nil
    }

    static func value(of key: String, in status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
