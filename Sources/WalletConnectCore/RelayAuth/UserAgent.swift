#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The relay user agent (spec §3.2): `<protocol>-<version>/<sdkLanguage>-<sdkVersion>/<os>[/<env>[:<host>]]`,
/// for this port `wc-2/swift-<sdkVersion>/<os>-<osVersion>`.
package enum UserAgent {
    /// `wc-2/swift-<sdkVersion>/<os>-<osVersion>`, plus `/<environment>` when given.
    package static func make(sdkVersion: String, os: String, osVersion: String, environment: String? = nil) -> String {
        var agent = "wc-2/swift-\(sdkVersion)/\(os)-\(osVersion)"
        if let environment, !environment.isEmpty { agent += "/" + environment }
        return agent
    }

    /// The user agent for the running system, e.g. `wc-2/swift-1.0.0/linux-6.1.0-18-amd64` (from `uname`).
    package static func current(sdkVersion: String) -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return make(sdkVersion: sdkVersion, os: "unknown", osVersion: "0") }
        let system = withUnsafeBytes(of: &info.sysname) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let release = withUnsafeBytes(of: &info.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return make(sdkVersion: sdkVersion, os: system.lowercased(), osVersion: release)
    }
}
