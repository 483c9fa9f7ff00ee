import VsockBenchSupport

/// The observation as one self-contained HTML page (no script, no external resource): the
/// diagnosis first, then the connections, the distributions and the costs per exchange.
public enum ObserveHTML {
    public static func render(_ document: ObserveDocument) -> String {
        let figures = document.figures
        var body: [String] = []
        body.append("<h1>vsockbench observe: port \(document.port)</h1>")
        body.append(
            "<p class=\"meta\">\(escape(document.startedAt)), \(Format.fixed(document.seconds, 2)) s, kernel \(escape(document.kernel))"
                + (document.command.map { ", <code>\(escape($0.joined(separator: " ")))</code>" } ?? "") + "</p>")
        body.append("<h2>Diagnosis</h2><ul>")
        body += document.diagnosis.map { "<li><b>\(escape($0.code))</b>: \(escape($0.text))</li>" }
        body.append("</ul>")
        body.append("<h2>Connections</h2>")
        let header = ["connection", "exchanges", "exchanges/s", "Mbps tx", "Mbps rx", "in flight", "seconds"]
        var rows = document.connections.map { item in
            [
                item.connection.description, String(item.figures.exchanges), Format.compact(item.figures.exchangesPerSecond),
                Format.compact(item.figures.mbpsTx), Format.compact(item.figures.mbpsRx),
                item.figures.inFlightMax.map(String.init) ?? "-", Format.fixed(item.seconds, 3),
            ]
        }
        rows.append([
            "all", String(figures.exchanges), Format.compact(figures.exchangesPerSecond), Format.compact(figures.mbpsTx),
            Format.compact(figures.mbpsRx), figures.inFlightMax.map(String.init) ?? "-", Format.fixed(document.seconds, 3),
        ])
        body.append(table(header, rows))
        body.append("<h2>Distributions (all connections)</h2>")
        let distributions: [(String, Distribution)] = [
            ("turnaround (us): last request packet to first packet back", figures.turnaroundMicroseconds),
            ("think time (us): last packet back to the next request", figures.thinkMicroseconds),
            ("request bytes", figures.requestBytes), ("answer bytes", figures.responseBytes),
            ("parent write bytes (to vsock sockets)", document.writes.bytes),
        ]
        body.append(
            table(
                ["figure", "p50", "p90", "p99", "max", "mean"],
                distributions.map { name, value in
                    [name] + [value.p50, value.p90, value.p99, value.max, value.mean].map(Format.compact)
                }))
        body.append("<h2>Per exchange</h2>")
        let per = figures.perExchange
        body.append(
            table(
                ["packets tx", "packets rx", "credit updates", "syscalls", "writes", "reads", "context switches", "exits", "exits source"],
                [
                    [per.packetsTx, per.packetsRx, per.creditUpdates, per.syscalls, per.writes, per.reads, per.contextSwitches, per.exits]
                        .map(Format.compact) + [per.exitsSource ?? "-"]
                ]))
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>vsockbench observe: port \(document.port)</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            th, td { padding: 0.25em 0.75em; border-bottom: 1px solid #ddd; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .meta { color: #666; }
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let head = "<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        let lines = rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
        return "<table>" + head + lines.joined() + "</table>"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
