import FractileHTTP

extension HTTPStatus {
    /// The status for a code that the routing and file layers chose (they carry plain numbers, not HTTP types).
    init(code: Int) {
        let known: [HTTPStatus] = [.ok, .notModified, .badRequest, .forbidden, .notFound, .methodNotAllowed,
                                   .uriTooLong, .internalServerError, .serviceUnavailable]
        self = known.first { $0.code == code } ?? HTTPStatus(code: code, reasonPhrase: "Error")
    }
}
