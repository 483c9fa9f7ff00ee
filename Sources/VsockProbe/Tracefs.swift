#if canImport(Glibc)
import Glibc
#endif

/// The tracefs tree the probe reads tracepoint formats from.
struct Tracefs: Sendable {
    let root: String

    /// The directory of one tracepoint, e.g. `<root>/events/kvm/kvm_exit`.
    func eventDirectory(category: String, event: String) -> String {
        "\(root)/events/\(category)/\(event)"
    }

    func exists(category: String, event: String) -> Bool {
        FileSystem.isDirectory(eventDirectory(category: category, event: event))
    }

    func format(category: String, event: String) throws -> TracepointFormat {
        let path = "\(eventDirectory(category: category, event: event))/format"
        return TracepointFormat(parsing: try FileSystem.readText(path))
    }

    /// Mounts tracefs at `root` when nothing is mounted there (an empty `/sys/kernel/tracing`
    /// is common in containers and minimal systems). Only the default location is mounted: a
    /// root given by a test is taken as it is.
    static func ensureMounted(at root: String) throws {
        guard !FileSystem.isDirectory("\(root)/events") else { return }
        guard root == ProbeConfiguration.defaultTracefsRoot else {
            throw ProbeError(
                operation: "reading tracefs", detail: "\(root)/events does not exist; point tracefsRoot at a tracefs tree")
        }
        if mount("nodev", root, "tracefs", 0, nil) != 0 {
            let error = errno
            throw ProbeError(
                operation: "mount -t tracefs nodev \(root)", errno: error,
                detail: "tracefs is needed to find tracepoints; mount it as root")
        }
        guard FileSystem.isDirectory("\(root)/events") else {
            throw ProbeError(operation: "mounting tracefs", detail: "\(root) has no events/ after mounting tracefs")
        }
    }
}
