//! The front door examples against the real clients: pymongo (MONGODB-X509) for
//! `examples/mongo_front_door.rs` and psql (libpq) for `examples/pg_front_door.rs`, with the
//! example certificates.
//!
//! Each test starts the example binary on port 0, reads `listening on <addr>` from its
//! stdout, drives it with the client, and stops it with SIGTERM (which must exit with code
//! 0). The binaries are built by this test (`cargo build --example`, the same profile), so
//! `cargo test --test front_doors` alone works too. Without pymongo or psql a test is
//! skipped with a printed reason, except under `CI=true`, where it fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Value, json};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn pki(name: &str) -> PathBuf {
    Path::new(MANIFEST).join("examples/pki").join(name)
}

fn example_settings(name: &str) -> PathBuf {
    Path::new(MANIFEST).join("examples").join(name)
}

/// A directory of its own for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "x509-dbauth-front-{}-{label}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `contents` to `name` with mode 0600 (libpq refuses keys others can read).
    fn private(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------
// The example PKI's files the tests use besides the clients.

/// The certificates a test uses: the server's (chain, key, and the CA a client trusts), and
/// the clients refused in the handshake.
struct Certs {
    server_chain: PathBuf,
    server_key: PathBuf,
    server_ca: PathBuf,
    expired_chain: PathBuf,
    expired_key: PathBuf,
    unknown_ca_chain: PathBuf,
    unknown_ca_key: PathBuf,
}

fn certs() -> Certs {
    Certs {
        // localhost / 127.0.0.1, issued by the project's issuing CA under its root.
        server_chain: pki("server-chain.pem"),
        server_key: pki("server.key"),
        server_ca: pki("project-root-ca.pem"),
        expired_chain: pki("expired-chain.pem"),
        expired_key: pki("expired.key"),
        // Jane's subject, from a CA in neither CA set.
        unknown_ca_chain: pki("unknown-ca-client-chain.pem"),
        unknown_ca_key: pki("unknown-ca-client.key"),
    }
}

// ---------------------------------------------------------------------------------------
// The example binaries.

/// Builds the example `name` (same profile and target directory as this test) once, and
/// returns its path.
fn example_binary(name: &'static str) -> PathBuf {
    static BUILT: OnceLock<std::sync::Mutex<Vec<&'static str>>> = OnceLock::new();
    let exe = std::env::current_exe().unwrap();
    // <target>/<profile>/deps/front_doors-<hash>
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let binary = profile_dir.join("examples").join(name);
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if !built.contains(&name) {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "--example", name, "--features"])
            .arg(features().join(","))
            .arg("--manifest-path")
            .arg(Path::new(MANIFEST).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(profile_dir.parent().unwrap());
        if profile_dir.file_name().and_then(|n| n.to_str()) == Some("release") {
            cargo.arg("--release");
        }
        // The variables cargo sets for a running test are not the nested build's: a build
        // script that watches one (ring's) would otherwise rebuild everything each time.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key == "CARGO_MANIFEST_DIR"
                || key == "CARGO_MANIFEST_PATH"
                || key.starts_with("CARGO_PKG_")
                || key == "CARGO_CRATE_NAME"
                || key == "CARGO_PRIMARY_PACKAGE"
                || key == "CARGO_TARGET_TMPDIR"
                || key == "CARGO_RUSTC_CURRENT_DIR"
                || key.starts_with("CARGO_BIN_EXE_")
            {
                cargo.env_remove(key);
            }
        }
        let status = cargo.status().unwrap();
        assert!(status.success(), "cargo build --example {name} failed");
        built.push(name);
    }
    assert!(binary.exists(), "{} was not built", binary.display());
    binary
}

/// The crate features this test was built with: the nested build uses the same, so it
/// shares the compiled dependencies instead of building another set.
fn features() -> Vec<&'static str> {
    let mut features = vec!["rustls"];
    for (on, name) in [
        (cfg!(feature = "cli"), "cli"),
        (cfg!(feature = "settings-files"), "settings-files"),
        (cfg!(feature = "ring"), "ring"),
        (cfg!(feature = "ldap"), "ldap"),
        (cfg!(feature = "x509-cert"), "x509-cert"),
    ] {
        if on {
            features.push(name);
        }
    }
    features
}

/// A running front door.
struct Door {
    child: Child,
    addr: SocketAddr,
    stderr: PathBuf,
}

impl Door {
    fn start(example: &'static str, settings: &Path, dir: &TempDir) -> Door {
        let certs = certs();
        let stderr = dir.0.join(format!("{example}.stderr"));
        let mut child = Command::new(example_binary(example))
            .arg("--config")
            .arg(settings)
            .args(["--listen", "127.0.0.1:0"])
            .arg("--tls-cert")
            .arg(&certs.server_chain)
            .arg("--tls-key")
            .arg(&certs.server_key)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "{example} printed {line:?}; stderr: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            })
            .trim()
            .parse()
            .unwrap();
        Door {
            child,
            addr,
            stderr,
        }
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The server's log so far (the audit events).
    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap()
    }

    /// SIGTERM: the server must exit with code 0.
    fn stop(mut self) -> String {
        self.signal("TERM");
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "exit status after SIGTERM");
        self.log()
    }
}

impl Drop for Door {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a client tool is there; without it the test is skipped, or fails under CI.
fn have(tool: &str, check: &mut Command) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "{tool} is missing (scripts/test installs it); under CI=true this fails"
        );
        eprintln!("skipped: {tool} is not installed (scripts/test installs it)");
    }
    ok
}

// ---------------------------------------------------------------------------------------
// MongoDB: pymongo.

fn have_pymongo() -> bool {
    have(
        "pymongo (python3 -m pip install pymongo)",
        Command::new("python3").args(["-c", "import pymongo"]),
    )
}

/// Runs the pymongo driver script with `chain` + `key` as the client certificate, claiming
/// `user` when given; returns its JSON line.
fn pymongo(door: &Door, dir: &TempDir, chain: &Path, key: &Path, extra: &[&str]) -> Value {
    let mut pem = std::fs::read(chain).unwrap();
    pem.extend_from_slice(&std::fs::read(key).unwrap());
    let cert_key = dir.private("client-cert-key.pem", &pem);
    let out = Command::new("python3")
        .arg(Path::new(MANIFEST).join("tests/front_doors/mongo_client.py"))
        .args(["--port", &door.port().to_string()])
        .arg("--ca")
        .arg(certs().server_ca)
        .arg("--cert-key")
        .arg(&cert_key)
        .args(extra)
        .output()
        .unwrap();
    parse_json(&out)
}

fn parse_json(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "driver failed ({:?}): {stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)))
}

fn jane() -> (PathBuf, PathBuf) {
    (pki("jane-chain.pem"), pki("jane.key"))
}

fn myuser() -> (PathBuf, PathBuf) {
    (pki("myuser-chain.pem"), pki("myuser.key"))
}

fn authentication_failed(errmsg: &str) -> Value {
    json!({ "operationFailure": { "code": 18, "codeName": "AuthenticationFailed", "errmsg": errmsg } })
}

const COMMAND_NOT_FOUND: &str = "no such command: 'listDatabases'";

#[test]
fn mongo_jane_logs_in_and_connection_status_shows_her_user_and_roles() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-jane");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = jane();
    let expected = json!({
        "connectionStatus": {
            "authInfo": {
                "authenticatedUsers": [{ "user": "CN=Jane Doe,O=MongoDB,C=US", "db": "$external" }],
                "authenticatedUserRoles": [
                    { "role": "readWrite", "db": "sales" },
                    { "role": "read", "db": "reporting", "collection": "orders" },
                ],
            },
            "ok": 1.0,
        },
        "after": { "code": 59, "codeName": "CommandNotFound", "errmsg": COMMAND_NOT_FOUND },
    });
    // Without a user name (the certificate names the user), and claiming her own name.
    assert_eq!(pymongo(&door, &dir, &chain, &key, &[]), expected);
    assert_eq!(
        pymongo(
            &door,
            &dir,
            &chain,
            &key,
            &["--user", "CN=Jane Doe,O=MongoDB,C=US"]
        ),
        expected
    );
    let log = door.stop();
    assert!(log.contains("x509_dbauth::audit"), "{log}");
}

#[test]
fn mongo_managed_user_logs_in_as_managed() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-managed");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = myuser();
    assert_eq!(
        pymongo(&door, &dir, &chain, &key, &[]),
        json!({
            "connectionStatus": {
                "authInfo": {
                    "authenticatedUsers": [{ "user": "CN=myuser", "db": "$external" }],
                    "authenticatedUserRoles": [
                        { "role": "read", "db": "inventory" },
                        { "role": "ordersReader", "db": "admin" },
                    ],
                },
                "ok": 1.0,
            },
            "after": { "code": 59, "codeName": "CommandNotFound", "errmsg": COMMAND_NOT_FOUND },
        })
    );
    let log = door.stop();
    assert!(log.contains("certificate_kind=\"managed\""), "{log}");
}

#[test]
fn mongo_expired_and_unknown_ca_clients_fail_in_the_tls_handshake() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-tls");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    let certs = certs();
    // What pymongo reports (Python's ssl module, OpenSSL) and the audit event of the refusal.
    for (chain, key, alert, audit) in [
        (
            &certs.expired_chain,
            &certs.expired_key,
            "[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired",
            "kind=\"expired\" alert=\"certificate_expired\"",
        ),
        (
            &certs.unknown_ca_chain,
            &certs.unknown_ca_key,
            "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca",
            "kind=\"unknown_issuer\" alert=\"unknown_ca\"",
        ),
    ] {
        let out = pymongo(&door, &dir, chain, key, &[]);
        assert_eq!(
            out["connectionFailure"]["type"], "ServerSelectionTimeoutError",
            "{out}"
        );
        let message = out["connectionFailure"]["message"].as_str().unwrap();
        let prefix = format!("localhost:{}: {alert} (", door.port());
        assert!(message.starts_with(&prefix), "{prefix}: {message}");
        assert!(door.log().contains(audit), "{audit}: {}", door.log());
    }
    door.stop();
}

#[test]
fn mongo_impostor_is_refused_after_the_handshake_with_authentication_failed() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-impostor");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    // A project certificate whose subject is the managed user's.
    assert_eq!(
        pymongo(
            &door,
            &dir,
            &pki("impostor-chain.pem"),
            &pki("impostor.key"),
            &[]
        ),
        authentication_failed(
            "kind_mismatch: the client certificate is not accepted for this user"
        )
    );
    // The operator's reason is in the audit event, not in the client's answer.
    let log = door.stop();
    assert!(log.contains("kind_mismatch"), "{log}");
}

#[test]
fn mongo_a_client_claiming_another_user_is_refused() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-claim");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = jane();
    assert_eq!(
        pymongo(&door, &dir, &chain, &key, &["--user", "CN=myuser"]),
        authentication_failed(
            "claim_mismatch: the user name sent does not match the client certificate"
        )
    );
    door.stop();
}

#[test]
fn mongo_ldap_authorization_refuses_the_managed_user_and_maps_jane() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-ldap");
    let door = Door::start(
        "mongo_front_door",
        &example_settings("settings-ldap.toml"),
        &dir,
    );
    let (chain, key) = myuser();
    assert_eq!(
        pymongo(&door, &dir, &chain, &key, &[]),
        authentication_failed(
            "managed_blocked_by_ldap: certificates from this issuer cannot log in while LDAP authorization is on"
        )
    );
    let (chain, key) = jane();
    let out = pymongo(&door, &dir, &chain, &key, &[]);
    assert_eq!(
        out["connectionStatus"]["authInfo"],
        json!({
            "authenticatedUsers": [{ "user": "cn=Jane Doe,ou=users,dc=example,dc=com", "db": "$external" }],
            "authenticatedUserRoles": [
                { "role": "dbAdmin", "db": "sales" },
                { "role": "read", "db": "reporting" },
                { "role": "ordersReader", "db": "admin" },
            ],
        }),
        "{out}"
    );
    door.stop();
}

#[test]
fn mongo_commands_before_a_login_are_unauthorized() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-noauth");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = jane();
    assert_eq!(
        pymongo(&door, &dir, &chain, &key, &["--no-auth"]),
        json!({ "operationFailure": {
            "code": 13,
            "codeName": "Unauthorized",
            "errmsg": "command listDatabases requires authentication",
        } })
    );
    door.stop();
}

#[test]
fn mongo_wire_legacy_op_query_checksums_and_document_sequences() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-wire");
    let door = Door::start("mongo_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = jane();
    let mut pem = std::fs::read(chain).unwrap();
    pem.extend_from_slice(&std::fs::read(key).unwrap());
    let cert_key = dir.private("client-cert-key.pem", &pem);
    let out = Command::new("python3")
        .arg(Path::new(MANIFEST).join("tests/front_doors/raw_wire.py"))
        .args(["--port", &door.port().to_string()])
        .arg("--ca")
        .arg(certs().server_ca)
        .arg("--cert-key")
        .arg(&cert_key)
        .output()
        .unwrap();
    assert_eq!(
        parse_json(&out),
        json!({
            "op_query": {
                "op": "OP_REPLY", "responseTo": 7, "returned": 1,
                "ismaster": true, "helloOk": true, "maxWireVersion": 17,
            },
            "checksummed_authenticate": {
                "responseTo": 8,
                "doc": { "dbname": "$external", "user": JANE, "ok": 1.0 },
            },
            "document_sequence": {
                "ok": 0.0, "errmsg": "no such command: 'insert'",
                "code": 59, "codeName": "CommandNotFound",
            },
            "wrong_checksum": null,
        })
    );
    let log = door.stop();
    assert!(
        log.contains("closing the connection: OP_MSG checksum does not match"),
        "{log}"
    );
}

#[test]
fn mongo_sighup_reloads_the_settings_file() {
    if !have_pymongo() {
        return;
    }
    let dir = TempDir::new("mongo-reload");
    // A copy of the example settings whose paths point back at examples/.
    let original = std::fs::read_to_string(example_settings("settings.toml")).unwrap();
    let absolute = original.replace("\"pki/", &format!("\"{MANIFEST}/examples/pki/"));
    let settings = dir.0.join("settings.toml");
    std::fs::write(&settings, &absolute).unwrap();
    let door = Door::start("mongo_front_door", &settings, &dir);
    let (chain, key) = jane();
    let before = pymongo(&door, &dir, &chain, &key, &[]);
    assert_eq!(
        before["connectionStatus"]["authInfo"]["authenticatedUsers"],
        json!([{ "user": "CN=Jane Doe,O=MongoDB,C=US", "db": "$external" }])
    );
    // Jane's registration is removed; after SIGHUP her certificate names no user.
    let without_jane = absolute.replace(
        "[[users]]\nname = \"CN=Jane Doe,O=MongoDB,C=US\"\nx509 = \"self-managed\"\nroles = [\"readWrite@sales\", \"read@reporting.orders\"]\n",
        "",
    );
    assert_ne!(without_jane, absolute);
    std::fs::write(&settings, &without_jane).unwrap();
    door.signal("HUP");
    // The reload is logged; wait for that line (the client would race it otherwise).
    let mut reloaded = false;
    for _ in 0..200 {
        if door.log().contains("SIGHUP: reloaded") {
            reloaded = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(reloaded, "{}", door.log());
    assert_eq!(
        pymongo(&door, &dir, &chain, &key, &[]),
        authentication_failed(
            "unknown_user: the client certificate does not identify a database user"
        )
    );
    door.stop();
}

// ---------------------------------------------------------------------------------------
// PostgreSQL: psql.

fn have_psql() -> bool {
    have(
        "psql (Debian package postgresql-client)",
        Command::new("psql").arg("--version"),
    )
}

/// Runs `psql -c <sql>` against the door with `chain` + `key` (copied with mode 0600),
/// `sslmode=verify-full`, claiming `user`.
fn psql(door: &Door, dir: &TempDir, chain: &Path, key: &Path, user: &str, sql: &str) -> Output {
    let key = dir.private("client.key", &std::fs::read(key).unwrap());
    let conninfo = format!(
        "host=localhost port={} dbname=x509 user='{}' sslmode=verify-full sslrootcert={} sslcert={} sslkey={}",
        door.port(),
        user.replace('\\', "\\\\").replace('\'', "\\'"),
        certs().server_ca.display(),
        chain.display(),
        key.display()
    );
    Command::new("psql")
        .args(["-X", "-At", "-c", sql])
        .arg(conninfo)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const JANE: &str = "CN=Jane Doe,O=MongoDB,C=US";

/// psql's whole stderr when the connection is refused with `why`.
fn refused_by(door: &Door, why: &str) -> String {
    format!(
        "psql: error: connection to server at \"localhost\" (127.0.0.1), port {} failed: {why}\n",
        door.port()
    )
}

#[test]
fn pg_jane_current_user_is_her_dn_and_show_roles_lists_her_roles() {
    if !have_psql() {
        return;
    }
    let dir = TempDir::new("pg-jane");
    let door = Door::start("pg_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = jane();
    let out = psql(&door, &dir, &chain, &key, JANE, "SELECT current_user");
    assert_eq!(
        (out.status.code(), text(&out.stdout), text(&out.stderr)),
        (Some(0), format!("{JANE}\n"), String::new())
    );
    let out = psql(&door, &dir, &chain, &key, JANE, "show roles;");
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (
            Some(0),
            "readWrite@sales\nread@reporting.orders\n".to_owned()
        )
    );
    let out = psql(&door, &dir, &chain, &key, JANE, "SELECT 1");
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (
            Some(1),
            "ERROR:  this front door answers only: SELECT current_user, SELECT session_user, SHOW roles\n".to_owned()
        )
    );
    door.stop();
}

#[test]
fn pg_a_mismatched_user_is_refused_with_fatal_28000() {
    if !have_psql() {
        return;
    }
    let dir = TempDir::new("pg-claim");
    let door = Door::start("pg_front_door", &example_settings("settings.toml"), &dir);
    let (chain, key) = jane();
    let out = psql(
        &door,
        &dir,
        &chain,
        &key,
        "CN=myuser",
        "SELECT current_user",
    );
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (
            Some(2),
            refused_by(
                &door,
                "FATAL:  claim_mismatch: the user name sent does not match the client certificate"
            )
        )
    );
    let log = door.stop();
    assert!(log.contains("claim_mismatch"), "{log}");
}

#[test]
fn pg_an_untrusted_certificate_is_refused_in_the_handshake() {
    if !have_psql() {
        return;
    }
    let dir = TempDir::new("pg-untrusted");
    let door = Door::start("pg_front_door", &example_settings("settings.toml"), &dir);
    let certs = certs();
    let out = psql(
        &door,
        &dir,
        &certs.unknown_ca_chain,
        &certs.unknown_ca_key,
        JANE,
        "SELECT current_user",
    );
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (
            Some(2),
            refused_by(&door, "SSL error: tlsv1 alert unknown ca")
        )
    );
    let log = door.stop();
    assert!(
        log.contains("kind=\"unknown_issuer\" alert=\"unknown_ca\""),
        "{log}"
    );
}

#[test]
fn pg_a_client_without_tls_is_refused() {
    if !have_psql() {
        return;
    }
    let dir = TempDir::new("pg-plain");
    let door = Door::start("pg_front_door", &example_settings("settings.toml"), &dir);
    let out = Command::new("psql")
        .args(["-X", "-At", "-c", "SELECT current_user"])
        .arg(format!(
            "host=localhost port={} dbname=x509 user='{JANE}' sslmode=disable",
            door.port()
        ))
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (
            Some(2),
            refused_by(
                &door,
                "FATAL:  TLS with a client certificate is required (sslmode=verify-full with sslcert and sslkey)"
            )
        )
    );
    door.stop();
}
