import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

/// stream on the driver: socat-style bulk bytes, written straight from the payload pool in
/// `write_size` chunks (tx), read and spot-checked (rx), or both on two threads. The driver
/// ends a stream by half-closing; the target then closes, which also ends an rx stream.
struct StreamDriver: Sendable {
    let connection: DriverConnection
    let spec: CaseSpec
    let index: Int
    /// Bytes this connection moves in the measured interval (count-bounded cases).
    let quotaBytes: UInt64?
    let control: RunControl
    let progress: WorkerProgress
    let pool: PayloadPool

    var socket: Socket { connection.socket }

    func run() -> WorkerResult {
        var result = WorkerResult(index: index)
        switch spec.direction {
        case .tx:
            let sent = send()
            result.apply(sent, writes: true)
            drainAfterSend(&result)
        case .rx:
            let received = receive(stopsCase: true)
            result.apply(received, writes: false)
        case .both:
            let sender = NativeThread.spawn(name: "stream-tx-\(index)") { [self] in
                let window = send()
                senderWindow.withLock { $0 = window }
            }
            let received = receive(stopsCase: false)
            sender.join()
            result.apply(received, writes: false)
            if let sent = senderWindow.value { result.merge(sent) }
        }
        if quotaBytes != nil, control.failures.isEmpty { control.workerFinished() }
        result.messages = (result.io.bytesWritten + result.io.bytesRead) / UInt64(spec.writeSize)
        return result
    }

    private let senderWindow = LockedValue<StreamWindow?>(nil)

    /// Writes until the case stops (or the quota is met), then half-closes.
    private func send() -> StreamWindow {
        var window = MeasureWindow()
        var position: UInt64 = 0
        let size = spec.writeSize
        while true {
            if window.observe(control.phase, io: socket.counters) { break }
            if let quotaBytes, window.measuring, socket.counters.bytesWrittenNow - window.startBytesWritten >= quotaBytes {
                window.close(io: socket.counters)
                break
            }
            let chunk = pool.stream(at: position, count: size)
            do {
                try socket.writeAll(chunk.baseAddress!, count: size)
            } catch {
                control.fail("connection \(index): stream write failed after \(position) bytes: \(DriverError(error))")
                window.close(io: socket.counters)
                break
            }
            position += UInt64(size)
            progress.add(messages: 1, bytes: UInt64(size))
        }
        socket.shutdownWrite()
        return StreamWindow(window: window, total: position)
    }

    /// Reads and spot-checks until the case stops (or the quota is met); with `stopsCase`
    /// it then half-closes and drains to end of stream.
    private func receive(stopsCase: Bool) -> StreamWindow {
        let size = spec.writeSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var window = MeasureWindow()
        var position: UInt64 = 0
        var ended = false
        // The target streams right after its ack: the reader may already hold the first bytes.
        let start = pool.takeStreamStart(from: connection.reader, verify: spec.verify)
        position = UInt64(start.count)
        if let at = start.problem {
            control.fail("connection \(index): \(spec.verify.problem(at: UInt64(at))) in the first bytes, which came with the ack")
        }
        while true {
            if window.observe(control.phase, io: socket.counters) { break }
            if let quotaBytes, window.measuring, socket.counters.bytesReadNow - window.startBytesRead >= quotaBytes {
                window.close(io: socket.counters)
                break
            }
            guard let n = readChecked(buffer, size, &position) else {
                ended = true
                window.close(io: socket.counters)
                break
            }
            if n == 0 {
                if stopsCase { control.fail("connection \(index): the target ended the stream early after \(position) bytes") }
                ended = true
                window.close(io: socket.counters)
                break
            }
            progress.add(messages: 0, bytes: UInt64(n))
        }
        if stopsCase { socket.shutdownWrite() }
        // Drain what the target sent before it saw the end: not measured, still checked.
        while !ended {
            guard let n = readChecked(buffer, size, &position), n > 0 else { break }
        }
        return StreamWindow(window: window, total: position)
    }

    /// One read, spot-checked at its stream position; nil after a failure.
    private func readChecked(_ buffer: UnsafeMutableRawPointer, _ size: Int, _ position: inout UInt64) -> Int? {
        let n: Int
        do {
            n = try socket.read(into: buffer, count: size)
        } catch {
            control.fail("connection \(index): stream read failed after \(position) bytes: \(DriverError(error))")
            return nil
        }
        if n > 0, let at = pool.streamProblem(buffer, count: n, at: position, spec.verify) {
            control.fail("connection \(index): \(spec.verify.problem(at: position + UInt64(at)))")
            return nil
        }
        position += UInt64(n)
        return n
    }

    /// After a tx stream: the target closes once it has read everything; anything it sends
    /// first is an error frame.
    private func drainAfterSend(_ result: inout WorkerResult) {
        do {
            if let frame = try connection.reader.next(), frame.header.type == .error {
                let message = ErrorMessage(errorFrame: frame).description
                control.fail("connection \(index): the target reported: \(message)")
            }
        } catch {
            control.fail("connection \(index): waiting for the target to finish: \(DriverError(error))")
        }
    }
}

/// One direction's measured window and total bytes moved.
struct StreamWindow: Sendable {
    var window: MeasureWindow
    var total: UInt64
}

extension MeasureWindow {
    var startBytesWritten: UInt64 { startIO.bytesWritten }
    var startBytesRead: UInt64 { startIO.bytesRead }
}

extension WorkerResult {
    mutating func apply(_ stream: StreamWindow, writes: Bool) {
        startNanos = stream.window.startNanos
        endNanos = stream.window.endNanos
        io = stream.window.io
        if writes { totalStreamBytesTx = stream.total } else { totalStreamBytesRx = stream.total }
    }

    /// Adds the sender's half of a two-way stream.
    mutating func merge(_ sender: StreamWindow) {
        let sent = sender.window.io
        io.writes = sent.writes
        io.bytesWritten = sent.bytesWritten
        io.writeNanos = sent.writeNanos
        startNanos = min(startNanos == 0 ? sender.window.startNanos : startNanos, sender.window.startNanos)
        endNanos = max(endNanos, sender.window.endNanos)
        totalStreamBytesTx = sender.total
    }
}
