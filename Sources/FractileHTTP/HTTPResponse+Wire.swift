/// A response ready for the socket: the status line and headers in one buffer, and the body to send after it.
struct WireResponse {
    var head: [UInt8]
    /// Shares the handler's storage; empty when no body is sent (HEAD, 204, 304).
    var body: [UInt8]
    var status: Int
    var keepAlive: Bool
}

extension HTTPResponse {
    /// Adds `Date`, `Server`, `Content-Length` and `Connection`, and drops the body for HEAD
    /// (RFC 9110 §9.3.2: HEAD gets the headers GET would, Content-Length included).
    func wire(date: String, isHead: Bool, keepAlive requestedKeepAlive: Bool, requestVersion: HTTPVersion) -> WireResponse {
        var headers = self.headers
        let keepAlive = requestedKeepAlive && !headers.containsToken("close", in: "Connection")
        headers.replaceOrAdd(name: "Date", value: date)
        headers.replaceOrAdd(name: "Server", value: "fractile")
        if status.forbidsBody {
            // 304 may repeat the Content-Length of the 200 it stands for (RFC 9110 §8.6), if the handler gave one.
            if status.code != 304 { headers.remove(name: "Content-Length") }
        } else if !(isHead && body.isEmpty && headers.contains("Content-Length")) {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if requestVersion == .http1_0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        } else {
            headers.remove(name: "Connection")
        }

        var head: [UInt8] = []
        head.reserveCapacity(128 + headers.count * 40)
        head.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        for field in headers {
            appendSafe(field.name, to: &head)
            head.append(contentsOf: ": ".utf8)
            appendSafe(field.value, to: &head)
            head.append(contentsOf: "\r\n".utf8)
        }
        head.append(contentsOf: "\r\n".utf8)
        let sendsBody = !isHead && !status.forbidsBody
        return WireResponse(head: head, body: sendsBody ? body : [], status: status.code, keepAlive: keepAlive)
    }
}

/// Header text from a handler with CR and LF replaced by spaces: no response splitting.
private func appendSafe(_ text: String, to bytes: inout [UInt8]) {
    for byte in text.utf8 {
        bytes.append(byte == 0x0D || byte == 0x0A ? 0x20 : byte)
    }
}
